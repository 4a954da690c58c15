import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleSet, RulesConfigError } from './load-rules.js';
import { RulesWatcher } from './rules-watcher.js';

const problemsOf = (text: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parseRuleSet(text, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(RulesConfigError);
    return (err as RulesConfigError).problems;
  }
  throw new Error('expected a RulesConfigError');
};

describe('parseRuleSet', () => {
  it('includes the rule pack, lets a file override or disable its rules, and reads JSON too', () => {
    const rs = parseRuleSet(
      `
rulePack: true
disable: [host-silent]
rules:
  - name: session-cost
    kind: threshold
    severity: critical
    types: [assistant]
    aggregate: sum
    value: payload.cost.usd
    window: 1d
    threshold: 10
`,
      { env: {} },
    );
    expect(rs.rules.find((r) => r.name === 'host-silent')).toBeUndefined();
    const cost = rs.rules.find((r) => r.name === 'session-cost');
    expect(cost).toMatchObject({ severity: 'critical', threshold: 10, window: 86_400_000 });
    const json = parseRuleSet(
      JSON.stringify({ rulePack: false, rules: [{ name: 'x', kind: 'match', severity: 'info', types: ['prompt'] }] }),
      { env: {} },
    );
    expect(json.rules.map((r) => r.name)).toEqual(['x']);
  });

  it('names the rule and the field of every problem', () => {
    const problems = problemsOf(`
rules:
  - name: good
    kind: match
    severity: info
    types: [prompt]
  - name: bad-window
    kind: threshold
    severity: info
    types: [assistant]
    window: soon
    threshold: 1
  - name: bad-regex
    kind: match
    severity: loud
    types: [tool.call]
    where: [{ field: payload.command, regex: "(" }]
`);
    expect(
      problems.some((p) => p.startsWith('rule "bad-window" (rules[1]) field window') && p.includes('not a duration')),
    ).toBe(true);
    expect(problems.some((p) => p.startsWith('rule "bad-regex" (rules[2]) field severity'))).toBe(true);
    expect(
      problems.some(
        (p) => p.startsWith('rule "bad-regex" (rules[2]) field where.0.regex') && p.includes('invalid regex'),
      ),
    ).toBe(true);
    expect(problems.some((p) => p.includes('"good"'))).toBe(false);
  });

  it('reports predicates with no or two operators, unknown receivers and missing environment variables', () => {
    const problems = problemsOf(`
receivers:
  - { name: hook, type: webhook, url: "\${HOOK_URL}" }
rules:
  - { name: a, kind: match, severity: info, types: [prompt], where: [{ field: payload.text }] }
  - { name: b, kind: match, severity: info, types: [prompt], where: [{ field: payload.text, equals: x, regex: y }] }
  - { name: c, kind: match, severity: info, types: [prompt], receivers: [nope] }
`);
    expect(problems.join('\n')).toContain('HOOK_URL is not set');
    const again = problemsOf(`
rules:
  - { name: a, kind: match, severity: info, types: [prompt], where: [{ field: payload.text }] }
  - { name: b, kind: match, severity: info, types: [prompt], where: [{ field: payload.text, equals: x, regex: y }] }
  - { name: c, kind: match, severity: info, types: [prompt], receivers: [nope] }
`);
    expect(again.some((p) => p.startsWith('rule "a" (rules[0]) field where.0') && p.includes('got none'))).toBe(true);
    expect(again.some((p) => p.startsWith('rule "b" (rules[1]) field where.0') && p.includes('equals, regex'))).toBe(
      true,
    );
    const recv = problemsOf('rules: [{ name: c, kind: match, severity: info, types: [prompt], receivers: [nope] }]');
    expect(recv).toEqual(['rule "c" field receivers: unknown receiver "nope"']);
  });

  it('rejects text that is not YAML', () => {
    expect(problemsOf('rules: [unclosed')[0]).toContain('not valid YAML/JSON');
  });
});

describe('RulesWatcher', () => {
  it('reloads a changed file and keeps the old rules when the new file is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alerter-rules-'));
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, 'rulePack: false\nrules: []\n');
    const loaded: string[][] = [];
    const errors: string[] = [];
    const w = new RulesWatcher({
      file,
      env: {},
      intervalMs: 50,
      onReload: (rs) => loaded.push(rs.rules.map((r) => r.name)),
      onError: (e) => errors.push(e.message),
    });
    await w.start();
    try {
      writeFileSync(file, 'rulePack: false\nrules: [{ name: one, kind: match, severity: info, types: [prompt] }]\n');
      await w.check();
      await expect.poll(() => loaded.length).toBeGreaterThan(0);
      expect(loaded.at(-1)).toEqual(['one']);
      writeFileSync(file, 'rulePack: false\nrules: [{ name: two, kind: nonsense }]\n');
      await expect.poll(() => errors.length, { timeout: 3000 }).toBeGreaterThan(0);
      expect(errors[0]).toContain('rule "two"');
      expect(loaded.at(-1)).toEqual(['one']);
    } finally {
      w.stop();
    }
  });
});
