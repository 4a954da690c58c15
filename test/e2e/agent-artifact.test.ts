/**
 * The laptop package as a developer installs it: the build script packs dist/cctap-agent.tgz (here into a
 * temporary directory), `npm install -g --offline --prefix` installs it (it has no dependencies to fetch),
 * and the installed `cctap-agent` is run through its bin link. The install stays small and carries no
 * ClickHouse engine or client; `collect` is `cctap collect` (the same help, word for word) and really
 * delivers a transcript to a nats-server; `guard` is `cctap guard` and answers a PreToolUse hook input.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTrustedBatch, topology } from '@cctap/events';
import { connectNats, createJetStreamBus, provision } from '@cctap/kit';
import { startNats, type TestNats } from '../support/nats.js';
import { REAL_FIXTURES_DIR, REPO_ROOT } from '../support/paths.js';
import { childEnv, cli, type CliResult } from './support/run-cctap.js';

const MAX_INSTALLED_BYTES = 30 * 1024 * 1024;

let dir: string;
let prefix: string;
let nats: TestNats;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-agent-'));
  prefix = join(dir, 'global');
  // The build script on the compiled app (`npm test` compiles first, as for every end-to-end test).
  execFileSync(process.execPath, ['apps/cctap-agent/scripts/build.mjs', '--out', join(dir, 'out')], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
  });
  execFileSync(
    'npm',
    ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(dir, 'out/cctap-agent.tgz')],
    { stdio: 'pipe', env: { ...process.env, npm_config_cache: join(dir, 'npm-cache') } },
  );
  nats = await startNats();
}, 60_000);
afterAll(async () => {
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the installed `cctap-agent` through its bin link (its `#!/usr/bin/env node` finds this node). */
function agent(args: readonly string[], stdin?: string): Promise<CliResult> {
  const env = childEnv({ PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` });
  const child = spawn(join(prefix, 'bin/cctap-agent'), args, {
    env,
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (stdin !== undefined) child.stdin!.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Every file under `root`, with its size. */
function files(root: string): Array<{ path: string; size: number }> {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return { path: path.slice(root.length + 1), size: statSync(path).size };
    });
}

describe('cctap-agent, the laptop package', () => {
  it('installs small, without ClickHouse, the store or native modules', () => {
    const installed = files(join(prefix, 'lib/node_modules/cctap-agent'));
    const total = installed.reduce((n, f) => n + f.size, 0);
    expect(total).toBeLessThanOrEqual(MAX_INSTALLED_BYTES);
    // The bundle (its entry and the chunks each command loads) and its manifest (npm adds the README it finds;
    // there is none): no node_modules at all.
    const paths = installed.map((f) => f.path).sort();
    expect(paths).toContain('dist/main.js');
    expect(
      paths.filter((p) => p !== 'package.json' && p !== 'dist/main.js' && !/^dist\/chunks\/[\w-]+\.js$/.test(p)),
    ).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(prefix, 'lib/node_modules/cctap-agent/package.json'), 'utf8'));
    expect(manifest.dependencies).toBeUndefined();
    // esbuild names each bundled module in a comment: the NATS client is in, the engine and client are not.
    const bundle = paths
      .filter((p) => p.endsWith('.js'))
      .map((p) => readFileSync(join(prefix, 'lib/node_modules/cctap-agent', p), 'utf8'))
      .join('\n');
    expect(bundle).toMatch(/\/\/ node_modules\/@nats-io\/transport-node\//);
    expect(bundle).toMatch(/\/\/ node_modules\/zod\//);
    expect(bundle).not.toMatch(/node_modules\/(@chdb|chdb|@clickhouse)\//);
    expect(bundle).not.toMatch(/packages\/store\//);
    expect(bundle).not.toMatch(/\bchdb\b|@clickhouse\/client/);
  });

  it('answers --version, help and a typo like cctap does', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/cctap-agent/package.json'), 'utf8'));
    const [v, help, typo] = await Promise.all([agent(['--version']), agent(['--help']), agent(['colect'])]);
    expect([v.code, v.stdout]).toEqual([0, `cctap-agent ${version}\n`]);

    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: cctap-agent <command>/);
    expect(help.stdout).toMatch(/^ {2}collect +tail this machine's Claude Code transcripts/m);
    expect(help.stdout).toMatch(/^ {2}guard +Claude Code PreToolUse hook/m);

    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      "cctap-agent: unknown command 'colect'; did you mean collect? Run 'cctap-agent help' for the list.\n",
    );
  });

  it('collect --help is the help of cctap collect', async () => {
    const [fromAgent, fromCctap] = await Promise.all([agent(['collect', '--help']), cli(['collect', '--help'])]);
    expect(fromAgent.code).toBe(0);
    expect(fromAgent.stdout).toContain('--once');
    expect(fromAgent.stdout).toBe(fromCctap.stdout);
  });

  it('guard is cctap guard: the same help, and it denies rm -rf / on a PreToolUse hook input', async () => {
    const decisions = join(dir, 'guard', 'decisions.jsonl');
    const input = JSON.stringify({
      hook_event_name: 'PreToolUse',
      session_id: 's-1',
      cwd: '/home/dev/app',
      tool_name: 'Bash',
      tool_input: { command: 'rm -rf /' },
      tool_use_id: 'toolu_1',
    });
    const [help, fromCctap, deny, broken] = await Promise.all([
      agent(['guard', '--help']),
      cli(['guard', '--help']),
      agent(['guard', '--decisions', decisions], input),
      agent(['guard', '--decisions', decisions, '--fail-closed'], 'not json'),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: cctap-agent guard/);
    expect(help.stdout.replaceAll('cctap-agent', 'cctap')).toBe(fromCctap.stdout);
    expect([deny.code, deny.stderr]).toEqual([0, '']);
    expect(JSON.parse(deny.stdout).hookSpecificOutput).toMatchObject({
      hookEventName: 'PreToolUse',
      permissionDecision: 'deny',
    });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/set to fail closed, so it is blocked/);
    expect(readFileSync(decisions, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('collect --once delivers a transcript to JetStream', async () => {
    const root = join(dir, 'claude');
    const project = join(root, 'projects', '-home-dev-app');
    mkdirSync(project, { recursive: true });
    const transcript = join(project, '5f0c2a1e-0000-4000-8000-0000000000a1.jsonl');
    copyFileSync(join(REAL_FIXTURES_DIR, 'spotter-v2.1.38-rejected-tool-use.jsonl'), transcript);
    const streamPrefix = 'agent';
    const nc = await connectNats({ servers: nats.url, name: 'e2e-agent-artifact' });
    try {
      await provision(nc, { prefix: streamPrefix });
      const r = await agent([
        'collect',
        '--once',
        '--nats',
        nats.url,
        '--prefix',
        streamPrefix,
        '--root',
        root,
        '--state',
        join(dir, 'state'),
        '--host',
        'laptop-1',
        '--log-format',
        'pretty',
      ]);
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      const published = Number(/backfill done: 1 files, [^,]+, (\d+) events/.exec(r.stderr)?.[1]);
      expect(published).toBeGreaterThan(0);

      // What the validator would consume: the raw batches of this host, covering the whole file.
      const t = topology(streamPrefix);
      const bus = createJetStreamBus(nc, { topology: t });
      try {
        const page = await bus.read('raw', { fromSeq: 1, max: 1000 });
        const batches = page
          .filter((m) => m.subject === t.subjects.raw('laptop-1'))
          .map((m) => decodeTrustedBatch(m.data))
          .filter((b) => b.source.path === transcript);
        expect(batches.length).toBeGreaterThan(0);
        expect(batches.reduce((n, b) => n + b.events.length, 0)).toBe(published);
        expect(Math.min(...batches.map((b) => b.source.from))).toBe(0);
        expect(Math.max(...batches.map((b) => b.source.to))).toBe(statSync(transcript).size);
      } finally {
        await bus.close();
      }
    } finally {
      await nc.close();
    }
  }, 30_000);
});
