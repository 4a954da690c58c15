/**
 * The redaction corpus: every planted credential kind (testing/planted-secrets.ts) in every place a
 * transcript line can carry text, keys or names, run through the real normalizer in `redacted` mode. No
 * planted secret may survive in any event. Also: `metadata` mode keeps no name that is not safe, and the
 * tool input hash does not depend on a masked secret.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ID_CHARS, type CctapEvent, type PrivacyMode } from '@cctap/events';
import { malformedEvent } from '../normalize/malformed-event.js';
import { normalizeLine } from '../normalize/normalize-line.js';
import {
  assistantText,
  bytesOf,
  encoder,
  envelope,
  lineCtx,
  toolResult,
  toolUse,
  userPrompt,
} from '../testing/lines.js';
import { PLANTED_SECRETS, type PlantedSecret } from '../testing/planted-secrets.js';

type Place = [place: string, line: Record<string, unknown> | Uint8Array];

/** The whitespace-delimited word of the paste that holds the secret (a bare token). */
const bareToken = (p: PlantedSecret) =>
  p.text
    .split(/\s+/)
    .find((w) => w.includes(p.secret))!
    .replace(/^["']|["']$/g, '');

/** Every place `text` can be written in a line. */
function textPlaces(text: string): Place[] {
  return [
    ['prompt', userPrompt(`please use ${text}`)],
    ['assistant text', assistantText(`I will run: ${text}`)],
    ['Bash command', toolUse('Bash', { command: text, description: 'run' })],
    ['Write content', toolUse('Write', { file_path: '/tmp/app/.env', content: `A=1\n${text}\n` })],
    [
      'MCP input fields',
      toolUse('mcp__db__query', { sql: text, options: { notes: [text] }, arguments: JSON.stringify({ config: text }) }),
    ],
    [
      'MCP input under a credential key',
      toolUse('mcp__vault__put', { path: 'kv/app', db_password: text, nested: { apiKey: text } }),
    ],
    ['tool result text', toolResult(`stdout: ${text}`)],
    ['tool result blocks', toolResult([{ type: 'text', text: `result ${text}` }], true)],
    [
      'toolUseResult',
      toolResult([{ type: 'text', text: 'done' }], false, { stdout: text, stderr: text, file: { content: text } }),
    ],
    [
      'system api_error',
      envelope({
        type: 'system',
        subtype: 'api_error',
        level: 'error',
        error: { status: 500, error: { error: { type: 'api_error', message: text } } },
        retryAttempt: 1,
        maxRetries: 10,
        retryInMs: 500,
      }),
    ],
    [
      'system local command',
      envelope({
        type: 'system',
        subtype: 'local_command',
        level: 'info',
        content: `<local-command-stdout>${text}</local-command-stdout>`,
      }),
    ],
    [
      'final API error',
      envelope({
        type: 'assistant',
        isApiErrorMessage: true,
        message: { model: '<synthetic>', id: 'm', content: [{ type: 'text', text: `API Error: 500 ${text}` }] },
      }),
    ],
    ['queue operation', envelope({ type: 'queue-operation', operation: 'enqueue', content: text })],
    ['summary', envelope({ type: 'summary', summary: text, leafUuid: 'x' })],
    ['last prompt', envelope({ type: 'last-prompt', lastPrompt: text })],
    ['unknown line value', envelope({ type: 'mystery-kind', payload: text })],
    ['malformed line', encoder.encode(`{"type":"user","message":{"content":${JSON.stringify(text)}`)],
    ['malformed line, raw', encoder.encode(`garbage ${text}`)],
  ];
}

/** Places only a bare token fits: names, paths, keys. */
function tokenPlaces(token: string): Place[] {
  return [
    ['gitBranch', envelope({ type: 'user', gitBranch: `fix/${token}`, message: { role: 'user', content: 'hi' } })],
    ['cwd', envelope({ type: 'user', cwd: `/home/dev/${token}/app`, message: { role: 'user', content: 'hi' } })],
    ['Read file_path', toolUse('Read', { file_path: `/tmp/${token}.txt` })],
    ['MCP input key', toolUse('mcp__x__y', { headers: { [token]: 'yes' } })],
    ['unknown line type', envelope({ type: token, x: 1 })],
    ['unknown line key', envelope({ type: 'mystery-kind', [token]: 1 })],
  ];
}

function eventsOf(line: Record<string, unknown> | Uint8Array, privacy: PrivacyMode): CctapEvent[] {
  const bytes = line instanceof Uint8Array ? line : bytesOf(line);
  const r = normalizeLine(bytes, lineCtx(privacy));
  if ('failure' in r) return [malformedEvent(bytes, r.failure, lineCtx(privacy))];
  return r.events;
}

describe('planted secrets corpus, redacted mode', () => {
  const kinds = new Set(PLANTED_SECRETS.map((p) => p.kind));

  it('covers at least 46 kinds, each pasted text holding its secret', () => {
    expect(kinds.size).toBe(PLANTED_SECRETS.length);
    expect(kinds.size).toBeGreaterThanOrEqual(46);
    for (const p of PLANTED_SECRETS) expect(p.text).toContain(p.secret);
  });

  it('lets no planted secret survive in any place', () => {
    const leaks: string[] = [];
    let planted = 0;
    for (const p of PLANTED_SECRETS) {
      const places = [...textPlaces(p.text), ...(p.token ? tokenPlaces(bareToken(p)) : [])];
      for (const [place, line] of places) {
        planted += 1;
        const events = eventsOf(line, 'redacted');
        expect(events.length).toBeGreaterThan(0);
        if (JSON.stringify(events).includes(p.secret)) leaks.push(`${p.kind} in ${place}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(planted).toBeGreaterThanOrEqual(46 * 18);
  });

  it('masks before it clips a name to its length limit, so no part of a secret is left', () => {
    const branch = `${'x'.repeat(MAX_ID_CHARS - 11)}/AKIAZ7QWERTY4UIOP2LM`;
    const [e] = eventsOf(
      envelope({ type: 'user', gitBranch: branch, message: { role: 'user', content: 'hi' } }),
      'redacted',
    );
    expect(e?.gitBranch.length).toBeLessThanOrEqual(MAX_ID_CHARS);
    expect(e?.gitBranch).not.toContain('AKIAZ7');
    const [u] = eventsOf(envelope({ type: 'mystery-kind', [branch]: 1 }), 'redacted');
    expect(JSON.stringify(u)).not.toContain('AKIAZ7');
  });

  it('keeps the text around the secret', () => {
    const events = eventsOf(userPrompt('please use DB_PASS=Tr0ub4dor&3x ./migrate'), 'redacted');
    expect(events[0]?.type === 'prompt' && events[0].payload.text).toBe(
      'please use DB_PASS=[REDACTED:assignment]&3x ./migrate',
    );
  });
});

describe('metadata mode: names', () => {
  const token = 'sk_live_51HqWeRtYuIoPaSdFgHjKlZx';

  it('keeps an unknown line type and keys only when they are safe names', () => {
    const [e] = eventsOf(
      envelope({ type: token, '/home/dev/customer-acme/notes': 1, plainKey: 2, [token]: 3 }),
      'metadata',
    );
    expect(e?.type).toBe('unknown');
    const payload = e?.type === 'unknown' ? e.payload : null;
    expect(payload?.lineType).toBe('[REDACTED:type]');
    expect(payload?.keys).toContain('plainKey');
    expect(payload?.keys).toContain('sessionId');
    expect(payload?.keys.filter((k) => k === '[REDACTED:key]')).toHaveLength(2);
    expect(JSON.stringify(e)).not.toContain('customer-acme');
    expect(JSON.stringify(e)).not.toContain(token);
  });

  it('keeps a safe unknown type', () => {
    const [e] = eventsOf(envelope({ type: 'mystery-kind', x: 1 }), 'metadata');
    expect(e?.type === 'unknown' && e.payload.lineType).toBe('mystery-kind');
  });

  it('drops the git branch in metadata, masks it in redacted, keeps it in full', () => {
    const line = envelope({
      type: 'user',
      gitBranch: `fix/leaked-AKIAZ7QWERTY4UIOP2LM`,
      message: { role: 'user', content: 'hi' },
    });
    expect(eventsOf(line, 'metadata')[0]?.gitBranch).toBe('');
    expect(eventsOf(line, 'redacted')[0]?.gitBranch).toBe('fix/leaked-[REDACTED:aws_access_key_id]');
    expect(eventsOf(line, 'full')[0]?.gitBranch).toBe('fix/leaked-AKIAZ7QWERTY4UIOP2LM');
    expect(
      eventsOf(envelope({ type: 'user', gitBranch: 'main', message: { role: 'user', content: 'hi' } }), 'redacted')[0]
        ?.gitBranch,
    ).toBe('main');
  });
});

describe('tool input hash', () => {
  const hashOf = (input: unknown, privacy: PrivacyMode) => {
    const e = eventsOf(toolUse('Bash', input), privacy).find((x) => x.type === 'tool.call');
    return e?.type === 'tool.call' ? e.payload.inputHash : null;
  };

  it('does not depend on a masked secret, so a word list cannot recover it', () => {
    for (const privacy of ['redacted', 'metadata'] as const) {
      const a = hashOf({ command: 'mysql -u root -phunter2hunter2 app' }, privacy);
      const b = hashOf({ command: 'mysql -u root -pcorrecthorse app' }, privacy);
      expect(a).toBe(b);
      expect(a).toBe(hashOf({ command: 'mysql -u root -p[REDACTED:cli_password] app' }, privacy));
    }
  });

  it('stays equal for equal inputs and differs for different ones', () => {
    expect(hashOf({ command: 'ls -la' }, 'redacted')).toBe(hashOf({ command: 'ls -la' }, 'redacted'));
    expect(hashOf({ command: 'ls -la' }, 'redacted')).not.toBe(hashOf({ command: 'ls -l' }, 'redacted'));
    expect(hashOf({ command: 'ls -la' }, 'metadata')).toBe(hashOf({ command: 'ls -la' }, 'redacted'));
    const long = `echo ${'x'.repeat(50_000)} DB_PASS=Tr0ub4dor`;
    expect(hashOf({ command: long }, 'redacted')).toBe(
      hashOf({ command: long.replace('Tr0ub4dor', 'other-one') }, 'redacted'),
    );
  });
});
