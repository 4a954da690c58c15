/**
 * `cctap guard` as Claude Code runs it: a new process per tool call with the PreToolUse hook input on
 * stdin, the decision on stdout. Each call's wall time from spawn to exit (what Claude Code waits for
 * before the tool runs), for `cctap guard` from the workspace, for `cctap-agent guard` from the bundled
 * laptop package, and for `cctap guard --rules FILE` (a rule file, validated once and then cached), with a
 * bare `node -e 0` beside each call (the floor every call pays). Calls alternate a denied command
 * (rm -rf ~), a secret file read (.env) and a safe command (ls), each checked, one after another as Claude
 * Code makes them.
 *
 *   npm run bench:guard -- [--calls 40] [--no-doc]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { metric } from './support/bench-result.js';
import { cctapEnv } from './support/cctap-env.js';
import { npmCommand, publishResult, REPO } from './support/publish-result.js';

const CLI = fileURLToPath(new URL('../../apps/cctap/dist/main.js', import.meta.url));
const GOAL_MS = 150;

const { values } = parseArgs({ options: { calls: { type: 'string', default: '40' }, 'no-doc': { type: 'boolean' } } });
const calls = Number(values.calls);

const CASES = [
  { tool_name: 'Bash', tool_input: { command: 'rm -rf ~' }, expect: 'deny' },
  { tool_name: 'Read', tool_input: { file_path: '/home/dev/app/.env' }, expect: 'deny' },
  { tool_name: 'Bash', tool_input: { command: 'ls -la' }, expect: 'allow' },
] as const;

function input(i: number): { stdin: string; expect: string } {
  const c = CASES[i % CASES.length]!;
  return {
    stdin: JSON.stringify({
      session_id: 'bench-session',
      transcript_path: '/home/dev/.claude/projects/-home-dev-app/bench-session.jsonl',
      cwd: '/home/dev/app',
      permission_mode: 'default',
      hook_event_name: 'PreToolUse',
      tool_name: c.tool_name,
      tool_input: c.tool_input,
      tool_use_id: `toolu_bench_${i}`,
    }),
    expect: c.expect,
  };
}

/** One process: spawn to exit, in ms, and what it printed. */
function run(
  cmd: string,
  args: readonly string[],
  stdin: string,
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${err}`));
      else resolve({ ms, out });
    });
    child.stdin.end(stdin);
  });
}

const decisionOf = (out: string): string =>
  out.trim() === ''
    ? 'allow'
    : (JSON.parse(out) as { hookSpecificOutput: { permissionDecision: string } }).hookSpecificOutput.permissionDecision;

const dir = mkdtempSync(join(tmpdir(), 'cctap-bench-guard-'));
const env = { ...cctapEnv(), HOME: dir };
const rules = join(dir, 'rules.yaml');
writeFileSync(
  rules,
  [
    'rules:',
    '  - name: no-terraform-destroy',
    '    kind: match',
    '    severity: critical',
    '    types: [tool.call]',
    '    where: [{ field: payload.command, regex: "terraform\\\\s+destroy" }]',
    '    guard: deny',
    '',
  ].join('\n'),
);
// The laptop package as `npm run build:agent` makes it (its bundle, run in place).
execFileSync(process.execPath, [join(REPO, 'apps/cctap-agent/scripts/build.mjs'), '--out', join(dir, 'agent')], {
  stdio: 'pipe',
});
const AGENT = join(dir, 'agent', 'cctap-agent', 'dist', 'main.js');

const variants = [
  { id: 'cctap', args: [CLI, 'guard', '--decisions', join(dir, 'd1.jsonl')], samples: [] as number[] },
  { id: 'agent', args: [AGENT, 'guard', '--decisions', join(dir, 'd2.jsonl')], samples: [] as number[] },
  {
    id: 'rules',
    args: [CLI, 'guard', '--rules', rules, '--decisions', join(dir, 'd3.jsonl')],
    samples: [] as number[],
  },
];
const floor: number[] = [];
try {
  for (const v of variants) await run(process.execPath, v.args, input(0).stdin, env); // warm the file cache
  for (let i = 0; i < calls; i++) {
    const { stdin, expect } = input(i);
    for (const v of variants) {
      const r = await run(process.execPath, v.args, stdin, env);
      const got = decisionOf(r.out);
      if (got !== expect) throw new Error(`${v.id} call ${i}: expected ${expect}, got ${got}`);
      v.samples.push(r.ms);
    }
    floor.push((await run(process.execPath, ['-e', '0'], '', env)).ms);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const [cctap, agent, withRules] = variants as [(typeof variants)[0], (typeof variants)[0], (typeof variants)[0]];
publishResult({
  id: 'guard',
  command: npmCommand('bench:guard'),
  metrics: [
    metric({
      id: 'cctap-ms',
      title: 'cctap guard, whole call',
      metric: 'one call, spawn to exit',
      unit: 'ms',
      samples: cctap.samples,
      goal: { op: '<=', value: GOAL_MS, source: 'guard decision' },
      digits: 0,
    }),
    metric({
      id: 'agent-ms',
      title: 'cctap-agent guard (bundle), whole call',
      metric: 'one call, spawn to exit',
      unit: 'ms',
      samples: agent.samples,
      goal: { op: '<=', value: GOAL_MS, source: 'guard decision' },
      digits: 0,
    }),
    metric({
      id: 'rules-ms',
      title: 'cctap guard --rules FILE, whole call',
      metric: 'one call, spawn to exit',
      unit: 'ms',
      samples: withRules.samples,
      digits: 0,
      summary: false,
    }),
    metric({
      id: 'node-floor-ms',
      title: 'Guard: a bare `node -e 0` process (the floor)',
      metric: 'one process, spawn to exit',
      unit: 'ms',
      samples: floor,
      digits: 0,
      summary: false,
    }),
  ],
  details: [
    `Each call is a new process given a PreToolUse hook input on stdin, timed from spawn to exit, ${calls} rounds one after another after one warm-up call per variant; a round runs the three variants and a bare \`node -e 0\` on the same input.`,
    'Inputs rotate: Bash `rm -rf ~` (deny), Read of `.env` (deny), Bash `ls -la` (no objection, no output); each answer is checked. Every call appends its decision to a decisions file.',
    '`cctap guard` is `node apps/cctap/dist/main.js guard` (the workspace build); `cctap-agent guard` is the bundle `npm run build:agent` makes, run in place; `--rules FILE` reads a one-rule alerter file: validated once (zod and the YAML parser load), then taken from the cache the guard keeps of it while the file is unchanged.',
  ].join('\n'),
  noDoc: values['no-doc'],
});
