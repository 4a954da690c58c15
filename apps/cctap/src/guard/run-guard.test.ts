import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../exit-codes.js';
import type { DecisionLine } from './decision-log.js';
import { runGuard, type GuardSettings } from './run-guard.js';

const dir = mkdtempSync(join(tmpdir(), 'cctap-guard-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function judge(stdin: string, over: Partial<GuardSettings> = {}) {
  const decisionsFile = join(dir, `decisions-${++n}.jsonl`);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runGuard(
    { rulesFile: undefined, failClosed: false, decisionsFile, env: {}, ...over },
    { stdin: () => Promise.resolve(stdin), out: (t) => out.push(t), err: (t) => err.push(t) },
  );
  const lines = readFileSync(decisionsFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as DecisionLine);
  return { code, out, err, lines };
}

/** A PreToolUse hook input as Claude Code writes it. */
const hook = (tool_name: string, tool_input: Record<string, unknown>) =>
  JSON.stringify({
    session_id: 'abc123',
    transcript_path: '/home/dev/.claude/projects/-home-dev-app/abc123.jsonl',
    cwd: '/home/dev/app',
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name,
    tool_input,
    tool_use_id: 'toolu_01ABC',
  });

describe('runGuard', () => {
  it('denies rm -rf / with the hook protocol answer, and records the decision', async () => {
    const r = await judge(hook('Bash', { command: 'rm -rf /' }));
    expect(r.code).toBe(EXIT.ok);
    const answer = JSON.parse(r.out.join(''));
    expect(answer).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringContaining("'dangerous-command'"),
      },
    });
    expect(r.lines).toEqual([
      expect.objectContaining({
        v: 1,
        decision: 'deny',
        rule: 'dangerous-command',
        findings: ['rm-rf-broad'],
        match: 'rm -rf /',
        tool: 'Bash',
        toolUseId: 'toolu_01ABC',
        sessionId: 'abc123',
        cwd: '/home/dev/app',
        error: null,
        failClosed: false,
      }),
    ]);
  });

  it('asks about sudo', async () => {
    const r = await judge(hook('Bash', { command: 'sudo systemctl restart nginx' }));
    expect(JSON.parse(r.out.join('')).hookSpecificOutput.permissionDecision).toBe('ask');
  });

  it('says nothing for a safe call (Claude Code applies its own permission rules), and records it', async () => {
    const r = await judge(hook('Bash', { command: 'ls -la' }));
    expect(r).toMatchObject({ code: EXIT.ok, out: [], err: [] });
    expect(r.lines[0]).toMatchObject({ decision: 'allow', rule: null, tool: 'Bash' });
  });

  it.each([
    ['not JSON', '{"tool_name": "Bash", '],
    ['empty', ''],
    ['no tool_name', JSON.stringify({ hook_event_name: 'PreToolUse', tool_input: {} })],
    ['another event', JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: {} })],
  ])('fail-closed: blocks on %s input with exit 2 and the reason on stderr', async (_what, stdin) => {
    const r = await judge(stdin, { failClosed: true });
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err.join('\n')).toMatch(/could not judge this call .* fail closed, so it is blocked/);
    expect(r.lines[0]).toMatchObject({ decision: 'deny', failClosed: true, error: expect.any(String) });
  });

  it('fail-open (the default): a malformed input lets the call through with a non-blocking error', async () => {
    const r = await judge('not json');
    expect(r.code).toBe(EXIT.failure);
    expect(r.code).not.toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err.join('\n')).toMatch(/not JSON.*fails open/);
    expect(r.lines[0]).toMatchObject({ decision: 'allow', error: 'the hook input on stdin is not JSON' });
  });

  it('fail-closed: an unreadable rule file blocks the call', async () => {
    const r = await judge(hook('Bash', { command: 'ls' }), { failClosed: true, rulesFile: join(dir, 'missing.yaml') });
    expect(r.code).toBe(2);
    expect(r.err.join('')).toMatch(/cannot read the rule file .*missing\.yaml: ENOENT/);
  });

  it('applies the guard rules of a rule file', async () => {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      'rules:\n  - { name: no-npm-publish, kind: match, severity: warning, types: [tool.call], where: [{ field: payload.command, regex: "npm publish" }], guard: deny }\n',
    );
    const r = await judge(hook('Bash', { command: 'npm publish --access public' }), { rulesFile: rules });
    expect(JSON.parse(r.out.join('')).hookSpecificOutput).toMatchObject({
      permissionDecision: 'deny',
      permissionDecisionReason: expect.stringContaining("'no-npm-publish'"),
    });
  });

  it('a decision stands when it cannot be recorded', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const out: string[] = [];
    const err: string[] = [];
    const code = await runGuard(
      { rulesFile: undefined, failClosed: true, decisionsFile: join(blocker, 'decisions.jsonl'), env: {} },
      {
        stdin: () => Promise.resolve(hook('Read', { file_path: '/home/dev/app/.env' })),
        out: (t) => out.push(t),
        err: (t) => err.push(t),
      },
    );
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(out.join('')).hookSpecificOutput.permissionDecision).toBe('deny');
    expect(err.join('')).toMatch(/could not record the decision/);
  });
});

describe('the rule file cache', () => {
  it('answers from the validated rules until the file changes', async () => {
    const rules = join(dir, 'cached-rules.yaml');
    const rule = (pattern: string) =>
      `rules:\n  - { name: no-${pattern.replace(' ', '-')}, kind: match, severity: warning, types: [tool.call], where: [{ field: payload.command, regex: "${pattern}" }], guard: deny }\n`;
    writeFileSync(rules, rule('npm publish'));
    const decisionsFile = join(dir, 'cache', 'decisions.jsonl');
    const ask = async (command: string) => {
      const out: string[] = [];
      await runGuard(
        { rulesFile: rules, failClosed: true, decisionsFile, env: {} },
        { stdin: () => Promise.resolve(hook('Bash', { command })), out: (t) => out.push(t), err: () => undefined },
      );
      return out.length === 0 ? 'allow' : JSON.parse(out.join('')).hookSpecificOutput.permissionDecision;
    };
    expect(await ask('npm publish')).toBe('deny');
    const cache = JSON.parse(readFileSync(join(dir, 'cache', 'rules-cache.json'), 'utf8'));
    expect(cache.rules.map((r: { name: string }) => r.name)).toContain('no-npm-publish');
    // The answer comes from the cache while the file is as it was: an edited cache shows it.
    for (const r of cache.rules as { name: string; guard: string }[]) if (r.name === 'no-npm-publish') r.guard = 'ask';
    writeFileSync(join(dir, 'cache', 'rules-cache.json'), JSON.stringify(cache));
    expect(await ask('npm publish')).toBe('ask');
    writeFileSync(rules, rule('cargo publish')); // another size: the cache no longer holds
    expect(await ask('npm publish')).toBe('allow');
    expect(await ask('cargo publish')).toBe('deny');
  });
});
