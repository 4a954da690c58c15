/**
 * The 2.1.40-2.1.332 transcript format (docs: transcript-format-2026.md) through TranscriptStream, on the
 * synthetic fixtures in test/fixtures/synthetic-2026 (built line by line from the shapes that document quotes;
 * real modern transcripts cannot be redistributed). One file per scenario; see that folder's README.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileId, type CctapEvent, type EventOf, type PrivacyMode } from '@cctap/events';
import { eventSchema } from '@cctap/events/internal';
import { describe, expect, it } from 'vitest';
import { TranscriptStream } from '../index.js';

const ROOT = fileURLToPath(
  new URL('../../../../test/fixtures/synthetic-2026/projects/-home-dev-app/', import.meta.url),
);
const session = (n: number) => `7a1c0d2e-2026-4a5b-9c3d-${String(n).padStart(12, '0')}`;

function transcripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? transcripts(p) : name.endsWith('.jsonl') ? [p] : [];
  });
}

function normalize(
  path: string,
  privacy: PrivacyMode = 'redacted',
  spawnDepth?: number,
  bytes = readFileSync(path),
): { events: CctapEvent[]; lines: number } {
  const stream = new TranscriptStream({
    host: 'test-host',
    user: 'dev',
    path,
    fileId: fileId(1, 2, path),
    privacy,
    startOffset: 0,
    lastTs: null,
    fileTs: '2026-01-01T00:00:00.000Z',
    ...(spawnDepth !== undefined ? { spawnDepth } : {}),
  });
  const out = stream.push(bytes);
  expect(stream.pending).toBe(0);
  return { events: out.flatMap((l) => l.events), lines: out.length };
}

const main = (n: number, privacy: PrivacyMode = 'redacted') =>
  normalize(join(ROOT, `${session(n)}.jsonl`), privacy).events;
const ofType = <T extends CctapEvent['type']>(events: CctapEvent[], type: T) =>
  events.filter((e): e is EventOf<T> => e.type === type);
const rawLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('synthetic 2026 transcripts', () => {
  const files = transcripts(ROOT);

  it('leave nothing unknown or malformed, and every event passes the contract, in every privacy mode', () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const privacy of ['metadata', 'redacted', 'full'] as const) {
      for (const f of files) {
        const { events, lines } = normalize(f, privacy);
        expect(lines, f).toBe(
          readFileSync(f, 'utf8')
            .split('\n')
            .filter((l) => l.length > 0).length,
        );
        expect(
          events
            .filter((e) => e.type === 'unknown' || e.type === 'malformed')
            .map((e) => `${f}: ${JSON.stringify(e.payload)}`),
        ).toEqual([]);
        for (const e of events) expect(eventSchema.safeParse(e).success, `${f} ${e.type}`).toBe(true);
      }
    }
  });

  it('2.1.212: denials by kind beside their tool results; aborts are not denials', () => {
    const events = main(1);
    const denials = ofType(events, 'denial');
    expect(denials.map((d) => [d.payload.toolUseId, d.payload.kind])).toEqual([
      ['toolu_01AbcRejected0000000001', 'user-rejected'],
      ['toolu_01AutoBlocked000000000002', 'automode-blocked'],
      ['toolu_01RuleDenied0000000000003', 'permission-rule'],
    ]);
    expect(denials[1]!.payload.reason).toContain('blocked in auto mode');
    const results = ofType(events, 'tool.result');
    expect(results.map((r) => [r.payload.denialKind, r.payload.errorClass])).toEqual([
      ['user-rejected', 'user_rejected'],
      ['automode-blocked', 'permission_denied'],
      ['permission-rule', 'permission_denied'],
      [undefined, null],
    ]);
    // Each denial directly follows its result, from the same line.
    for (const d of denials) {
      const r = results.find((x) => x.payload.toolUseId === d.payload.toolUseId)!;
      expect(d.source).toEqual(r.source);
      expect(d.lineUuid).toBe(r.lineUuid);
    }
    expect(ofType(events, 'interrupt')).toHaveLength(1);
    expect(ofType(main(1, 'metadata'), 'denial').map((d) => d.payload.reason)).toEqual([null, null, null]);
  });

  it('2.1.212: effort, cache-miss diagnostics, 1-hour cache writes and the line facts', () => {
    const events = main(1);
    const a = ofType(events, 'assistant');
    expect(a.map((e) => e.payload.effort)).toEqual(['high', 'high', 'high', 'high', 'high']);
    expect(a[0]!.payload.cacheMiss).toEqual({ reason: 'tools_changed', missedTokens: 14804 });
    expect(a[1]!.payload.cacheMiss).toEqual({ reason: 'previous_message_not_found', missedTokens: null });
    expect(a[2]!.payload.cacheMiss).toBeUndefined();
    expect(a[0]!.payload.usage).toMatchObject({
      cacheCreation: 14804,
      cacheCreation1h: 14804,
      cacheCreation5m: 0,
      cacheRead: 11442,
    });
    const prompts = ofType(events, 'prompt');
    expect(prompts.map((p) => [p.entrypoint, p.promptId, p.origin, p.payload.permissionMode])).toEqual([
      ['cli', 'pr0mpt01-0000-4000-8000-000000000001', 'human', 'default'],
      ['cli', 'pr0mpt01-0000-4000-8000-000000000002', 'human', 'auto'],
    ]);
    // Older lines keep their shape: no optional envelope keys at all.
    expect(Object.keys(ofType(events, 'meta')[0]!)).not.toContain('entrypoint');
  });

  it('2.1.212: a file that begins with metadata lines takes cwd and version from each line, never from line 1', () => {
    const events = main(1);
    const head = events.slice(0, 4);
    expect(head.map((e) => [e.type, e.type === 'meta' ? e.payload.lineType : null])).toEqual([
      ['meta', 'last-prompt'],
      ['meta', 'mode'],
      ['meta', 'permission-mode'],
      ['meta', 'file-history-snapshot'],
    ]);
    for (const e of head) expect([e.sessionId, e.cwd, e.ccVersion]).toEqual([session(1), '', '']);
    for (const e of events.filter((x) => x.type !== 'meta'))
      expect([e.sessionId, e.cwd, e.ccVersion]).toEqual([session(1), '/home/dev/app', '2.1.212']);
    expect(ofType(events, 'meta').find((m) => m.payload.lineType === 'mode')!.payload.subtype).toBe('normal');
  });

  it('Fable 5 refusal: one refusal event with the retracted line uuids; the fallback response names both', () => {
    const events = main(2);
    const [r, ...more] = ofType(events, 'refusal');
    expect(more).toEqual([]);
    expect(r!.payload).toEqual({
      originalModel: 'claude-fable-5',
      fallbackModel: 'claude-opus-4-8',
      trigger: 'refusal',
      direction: 'retry',
      category: 'cyber',
      retractedUuids: ['5f0c9a1e-7b2d-4c3e-8f4a-1b2c3d4e5f60', '6a1d0b2f-8c3e-4d4f-9a5b-2c3d4e5f6071'],
      requestId: 'req_011CZRefusedFable5000000001',
      text: "The request was flagged by the model's safety measures.",
    });
    const [first, second] = ofType(events, 'assistant');
    expect(first!.payload).toMatchObject({
      model: 'claude-opus-4-8',
      fallbackFrom: 'claude-fable-5',
      supersedesUuids: r!.payload.retractedUuids,
    });
    expect(second!.payload.fallbackFrom).toBeUndefined();
    expect(ofType(events, 'system')).toEqual([]);
    expect(first!.entrypoint).toBe('claude-vscode');
  });

  it('2.1.332: every type of the writer table is meta with its type; system subtypes, attribution and tool sources mapped', () => {
    const path = join(ROOT, `${session(3)}.jsonl`);
    const events = normalize(path).events;
    const metaTypes = new Set(ofType(events, 'meta').map((m) => m.payload.lineType));
    const lineTypes = new Set(
      rawLines(path)
        .map((l) => l.type as string)
        .filter((t) => !['user', 'assistant', 'system'].includes(t)),
    );
    for (const t of lineTypes) expect(metaTypes, t).toContain(t);
    expect(lineTypes.size).toBeGreaterThanOrEqual(40);
    const meta = (t: string) => ofType(events, 'meta').find((m) => m.payload.lineType === t)!.payload;
    expect(meta('file-history-delta')).toEqual({
      lineType: 'file-history-delta',
      subtype: 'delta',
      text: '/home/dev/app/README.md',
    });
    expect(meta('relocated').text).toBe('/home/dev/app-v2');
    expect(meta('atis-latch').subtype).toBeNull();
    expect(ofType(events, 'system').map((s) => s.payload.subtype)).toEqual([
      'stop_hook_summary',
      'turn_duration',
      'away_summary',
      'local_command',
      'informational',
    ]);
    expect(ofType(events, 'compaction')[0]!.payload).toMatchObject({
      trigger: 'auto',
      preTokens: 168212,
      postTokens: 17944,
      durationMs: 103045,
    });
    const calls = ofType(events, 'tool.call');
    expect(calls.map((c) => c.attribution)).toEqual([
      { skill: 'docs-style' },
      { mcpServer: 'docs', mcpTool: 'lookup' },
    ]);
    const hook = ofType(events, 'meta').find((m) => m.payload.subtype === 'hook_success')!;
    expect(hook.sourceToolUseId).toBe('toolu_01EditReadme0000000000001');
    expect(ofType(events, 'tool.result')[1]!.attribution).toEqual({
      mcpServer: 'docs',
      mcpTool: 'lookup',
      plugin: 'docs-plugin',
    });
    expect(ofType(events, 'assistant').map((a) => [a.payload.model, a.payload.effort, a.entrypoint])).toEqual([
      ['claude-opus-5', 'medium', 'sdk-cli'],
      ['claude-opus-5', 'medium', 'sdk-cli'],
      ['claude-opus-5', 'medium', 'sdk-cli'],
    ]);
  });

  it('a workflow run: the journal is classified by shape and linked to its session and run; agent lines too', () => {
    const run = join(ROOT, session(4), 'subagents/workflows/wf_1a2b3c4d-5e6');
    const journal = normalize(join(run, 'journal.jsonl')).events;
    expect(
      journal.map((e) => [
        e.type,
        e.type === 'meta' ? [e.payload.lineType, e.payload.subtype] : null,
        e.sessionId,
        e.workflowRunId,
        e.agentId,
      ]),
    ).toEqual([
      ['meta', ['workflow-journal', 'started'], session(4), 'wf_1a2b3c4d-5e6', 'afb7972f528a6f005'],
      ['meta', ['workflow-journal', 'result'], session(4), 'wf_1a2b3c4d-5e6', 'afb7972f528a6f005'],
    ]);
    expect(journal[1]!.type === 'meta' && journal[1]!.payload.text).toBe('No unused exports in packages/events.');
    const agent = normalize(join(run, 'agent-afb7972f528a6f005.jsonl')).events;
    for (const e of agent)
      expect([e.sessionId, e.agentId, e.sidechain, e.workflowRunId, e.attribution]).toEqual([
        session(4),
        'afb7972f528a6f005',
        true,
        'wf_1a2b3c4d-5e6',
        { agent: 'workflow-subagent' },
      ]);
    // The same line shape outside a run's folder is still a journal line (recursive globs must classify by shape).
    const elsewhere = normalize(
      join(ROOT, 'journal.jsonl'),
      'redacted',
      undefined,
      readFileSync(join(run, 'journal.jsonl')),
    ).events;
    expect(elsewhere.map((e) => [e.type, e.type === 'meta' ? e.payload.lineType : null, e.workflowRunId])).toEqual([
      ['meta', 'workflow-journal', undefined],
      ['meta', 'workflow-journal', undefined],
    ]);
  });

  it('a subagent file carries the spawn depth the collector read from its meta.json; a zero-byte file yields nothing', () => {
    const dir = join(ROOT, session(5), 'subagents');
    const depth = (id: string) =>
      (JSON.parse(readFileSync(join(dir, `agent-${id}.meta.json`), 'utf8')) as { spawnDepth: number }).spawnDepth;
    for (const id of ['a0f3c9e1b2d4a6f78', 'b1e4d0f2c3e5b7a89']) {
      const events = normalize(join(dir, `agent-${id}.jsonl`), 'redacted', depth(id)).events;
      expect(new Set(events.map((e) => e.spawnDepth))).toEqual(new Set([id === 'a0f3c9e1b2d4a6f78' ? 1 : 2]));
      expect(new Set(events.map((e) => e.agentId))).toEqual(new Set([id]));
    }
    expect(normalize(join(dir, 'agent-c2f5e1a3d4f6c8b90.jsonl'))).toEqual({ events: [], lines: 0 });
  });

  it('api_error: raw response headers never reach an event, in full mode either', () => {
    for (const privacy of ['full', 'redacted'] as const) {
      const events = main(6, privacy);
      const json = JSON.stringify(events);
      expect(json).not.toMatch(/SECRET/);
      const errors = ofType(events, 'api.error');
      expect(
        errors.map((e) => [e.payload.status, e.payload.errorType, e.payload.retryAttempt, e.payload.final]),
      ).toEqual([
        [529, 'overloaded_error', 1, false],
        [529, null, 2, false],
        [null, 'ConnectionRefused', 3, false],
      ]);
      expect(errors[1]!.payload.message).toBe(
        '529 Overloaded\nrequest-id: [scrubbed]\nset-cookie: [scrubbed]\ncontent-type: application/json',
      );
    }
  });

  it('api_error: a cut line (malformed) keeps no header value in its preview, in full mode either', () => {
    const line =
      '{"type":"system","subtype":"api_error","error":{"status":529,"headers":{"content-type":"application/json","set-cookie":"__cf_bm=SECRETCOOKIE; path=/","request-id":"req_SECRET';
    const path = join(ROOT, `${session(6)}.jsonl`);
    const { events } = normalize(path, 'full', undefined, Buffer.from(`${line}\n`));
    expect(events.map((e) => e.type)).toEqual(['malformed']);
    const preview = events[0]!.type === 'malformed' ? events[0]!.payload.preview : null;
    expect(preview).toContain('"content-type":"application/json"');
    expect(preview).not.toMatch(/SECRET/);
  });

  it('a gateway session: dotted model id, UUID message ids, no requestId, usage null on a dropped stream', () => {
    const a = ofType(main(7), 'assistant');
    expect(a.map((e) => [e.payload.model, e.payload.messageId, e.payload.requestId])).toEqual([
      ['claude-opus-4.8', '3c9e5f1a-2b4d-4e6f-8a0c-1d3e5f7a9b2c', null],
      ['claude-opus-4.8', '4d0f6a2b-3c5e-4f7a-9b1d-2e4f6a8b0c3d', null],
    ]);
    expect(a[0]!.payload.usage).toEqual({
      input: 0,
      output: 0,
      cacheCreation: 0,
      cacheRead: 0,
      cacheCreation5m: 0,
      cacheCreation1h: 0,
      webSearchRequests: 0,
      webFetchRequests: 0,
    });
    expect(a[1]!.payload.usage.input).toBe(1200);
  });

  it('raw U+0085 inside strings: lines split on \\n only, the character kept', () => {
    const path = join(ROOT, `${session(8)}.jsonl`);
    expect(readFileSync(path, 'utf8')).toContain('\u0085');
    const { events, lines } = normalize(path, 'full');
    expect(lines).toBe(3);
    expect(ofType(events, 'prompt').map((p) => p.payload.text)).toEqual([
      'first line\u0085second line\u0085third',
      'thanks',
    ]);
    // Any chunking gives the same events (a splitter on NEL would cut a line in two).
    const bytes = readFileSync(path);
    const nel = bytes.indexOf(Buffer.from([0xc2, 0x85]));
    const stream = new TranscriptStream({
      host: 'test-host',
      user: 'dev',
      path,
      fileId: fileId(1, 2, path),
      privacy: 'full',
      startOffset: 0,
      lastTs: null,
      fileTs: '2026-01-01T00:00:00.000Z',
    });
    const chunked = [...stream.push(bytes.subarray(0, nel + 1)), ...stream.push(bytes.subarray(nel + 1))].flatMap(
      (l) => l.events,
    );
    expect(chunked).toEqual(events);
  });

  it('base64 images and PDFs (lines of several hundred KB) never reach an event, in full mode either', () => {
    const path = join(ROOT, `${session(9)}.jsonl`);
    const raw = rawLines(path);
    const png = (raw[0]!.message as { content: { source?: { data: string } }[] }).content[0]!.source!.data;
    const pdf = (raw[3]!.message as { content: { source?: { data: string } }[] }).content[0]!.source!.data;
    expect(
      Math.max(
        ...readFileSync(path, 'utf8')
          .split('\n')
          .map((l) => l.length),
      ),
    ).toBeGreaterThan(200_000);
    for (const privacy of ['full', 'redacted', 'metadata'] as const) {
      const events = normalize(path, privacy).events;
      const json = JSON.stringify(events);
      for (const data of [png, pdf])
        for (let i = 0; i + 64 <= data.length; i += 20_000) expect(json).not.toContain(data.slice(i, i + 64));
      expect(json.length).toBeLessThan(20_000);
      const prompts = ofType(events, 'prompt');
      expect(prompts.map((p) => p.payload.images)).toEqual([1, 0]);
    }
  });
});
