/**
 * The benchmark harness: `npm run bench` (= tsc -b && node bench/dist/run-all.js).
 *
 *   [--only a,b]        just these benchmarks (ids from bench/benchmarks.ts); the others keep their last result
 *   [--quick]           small sizes for all (checks the harness in a few minutes; labelled in the doc)
 *   [--quick-for a,b]   small sizes for these only (e.g. the slow ones), full sizes for the rest
 *   [--render]          run nothing: re-render docs/benchmarks.md from the results at hand
 *   [--list]            print the benchmarks and their arguments
 *
 * Runs every benchmark in sequence, each in its own process (its own process group, killed after its
 * timeout), with CCTAP_BENCH_NO_DOC=1 so that only the harness writes the doc. Output goes to the terminal
 * and to bench/out/logs/<id>.log. The load average is read before and after each one and written into its
 * result, with the size profile and this run's id. A benchmark that fails (non-zero exit, no result, timeout)
 * is reported and the run goes on. At the end docs/benchmarks.md is rewritten from the results
 * (support/publish-result.ts, support/render-doc.ts). Exits 1 when any benchmark failed.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCHMARKS, type BenchmarkSpec } from './benchmarks.js';
import type { BenchResult } from './support/bench-result.js';
import { describeMachine } from './support/machine.js';
import { DOC_PATH, readResultFile, REPO, resultPath, rewriteBenchmarksDoc } from './support/publish-result.js';
import type { RunInfo } from './support/render-doc.js';

class UnknownBenchmarkError extends Error {
  override readonly name = 'UnknownBenchmarkError';
}

function parseCommandLine() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'quick-for': { type: 'string' },
      render: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
    },
  });
  const ids = (s: string | undefined): string[] | null => {
    if (s === undefined) return null;
    const list = s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    for (const id of list)
      if (!BENCHMARKS.some((b) => b.id === id))
        throw new UnknownBenchmarkError(`unknown benchmark "${id}"; known: ${BENCHMARKS.map((b) => b.id).join(', ')}`);
    return list;
  };
  return { args: values, only: ids(values.only), quickFor: new Set(ids(values['quick-for']) ?? []) };
}

let parsed: ReturnType<typeof parseCommandLine>;
try {
  parsed = parseCommandLine();
} catch (err) {
  if (!(err instanceof UnknownBenchmarkError) && !String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS'))
    throw err;
  console.error(
    `run-all: ${(err as Error).message}\nusage: npm run bench -- [--only a,b] [--quick] [--quick-for a,b] [--render] [--list]`,
  );
  process.exit(2);
}
const { args, only, quickFor } = parsed;
const isQuick = (b: BenchmarkSpec) => args.quick || quickFor.has(b.id);
const selected = BENCHMARKS.filter((b) => !only || only.includes(b.id));
const LOGS = join(REPO, 'bench', 'out', 'logs');

if (args.list) {
  for (const b of BENCHMARKS)
    console.log(
      `${b.id.padEnd(20)} node ${[...(b.nodeArgs ?? []), `bench/dist/${b.script}`, ...b.full].join(' ')}\n${''.padEnd(20)} quick: ${b.quick.join(' ')}`,
    );
  process.exit(0);
}
if (args.render) {
  rewriteBenchmarksDoc();
  console.log(`rendered ${DOC_PATH}`);
  process.exit(0);
}

type Load = [number, number, number];
let current: { pid: number } | null = null;

/** SIGTERM to a benchmark's process group, SIGKILL after `graceMs`; `afterKill` runs after the SIGKILL. */
function killGroup(pid: number, graceMs = 10_000, afterKill?: () => void): void {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => {
    signal('SIGKILL');
    afterKill?.();
  }, graceMs);
  if (!afterKill) timer.unref();
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping the running benchmark; the doc is not rewritten`);
    if (!current) process.exit(130);
    // some children (e.g. `cctap up --once` mid-backfill) finish their work before honouring SIGTERM
    killGroup(current.pid, 5_000, () => process.exit(130));
  });
}

/** Runs one benchmark script; resolves with its exit code (null: killed) and the last lines it printed. */
function runOne(
  b: BenchmarkSpec,
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; tail: string[]; timedOut: boolean }> {
  mkdirSync(LOGS, { recursive: true });
  const log = createWriteStream(join(LOGS, `${b.id}.log`));
  const child = spawn(process.execPath, [...(b.nodeArgs ?? []), join(REPO, 'bench', 'dist', b.script), ...argv], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  current = { pid: child.pid! };
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) tail.push(l);
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout.on('data', (c: Buffer) => {
    process.stdout.write(c);
    log.write(c);
    keep(c);
  });
  child.stderr.on('data', (c: Buffer) => {
    process.stderr.write(c);
    log.write(c);
    keep(c);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    console.error(`\n${b.id}: no result after ${b.timeoutMinutes} min, stopping it`);
    killGroup(child.pid!);
  }, b.timeoutMinutes * 60_000);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      current = null;
      log.end();
      resolve({ code, tail, timedOut });
    });
  });
}

/** The result file this benchmark wrote during this run, or null. */
function freshResult(id: string, since: number): BenchResult | null {
  const p = resultPath(id);
  if (!existsSync(p)) return null;
  try {
    const r = readResultFile(p);
    return Date.parse(r.measuredAt) >= since ? r : null;
  } catch (err) {
    console.error(`${id}: unreadable result: ${(err as Error).message}`);
    return null;
  }
}

const startedAt = new Date();
const runId = startedAt.toISOString();
const failures: RunInfo['failures'] = [];
console.log(
  `npm run bench: ${selected.length} benchmarks (${selected.map((b) => `${b.id}${isQuick(b) ? ' quick' : ''}`).join(', ')}); logs in bench/out/logs/`,
);

for (const [i, b] of selected.entries()) {
  const quick = isQuick(b);
  const argv = quick ? b.quick : b.full;
  const env = { ...process.env, CCTAP_BENCH_NO_DOC: '1', ...(quick ? b.quickEnv : {}) };
  const load0 = loadavg() as Load;
  const t0 = Date.now();
  console.log(
    `\n=== [${i + 1}/${selected.length}] ${b.id} (${quick ? 'quick' : 'full'}): node bench/dist/${b.script} ${argv.join(' ')}; load ${load0.map((x) => x.toFixed(2)).join(' ')}`,
  );
  const { code, tail, timedOut } = await runOne(b, argv, env);
  const load1 = loadavg() as Load;
  const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
  const result = freshResult(b.id, t0);
  if (result) {
    const patched: BenchResult = {
      ...result,
      profile: quick ? 'quick' : 'full',
      runId,
      load: { start: load0, end: load1 },
    };
    writeFileSync(resultPath(b.id), `${JSON.stringify(patched, null, 2)}\n`);
  }
  // the line that says what went wrong, not Node's trailing version banner
  const last = [...tail].reverse().find((l) => /error|fail|cannot|unavailable/i.test(l)) ?? tail[tail.length - 1] ?? '';
  if (timedOut) failures.push({ id: b.id, reason: `stopped after ${b.timeoutMinutes} min without finishing` });
  else if (code !== 0)
    failures.push({
      id: b.id,
      reason: `exit ${code ?? 'by signal'}${result ? ' after writing its result' : ''}: ${last.trim().slice(0, 300)}`,
    });
  else if (!result)
    failures.push({
      id: b.id,
      reason: `exited 0 but wrote no result; last output: ${(tail[tail.length - 1] ?? '').trim().slice(0, 200)}`,
    });
  console.log(
    `=== ${b.id}: ${failures.some((f) => f.id === b.id) ? 'FAILED' : 'done'} in ${minutes} min; load ${load1.map((x) => x.toFixed(2)).join(' ')}`,
  );
}

const profiles = new Set(selected.map((b) => (isQuick(b) ? 'quick' : 'full')));
const passed = process.argv.slice(2);
const run: RunInfo = {
  runId,
  machine: describeMachine(),
  command: `npm run bench${passed.length > 0 ? ` -- ${passed.join(' ')}` : ''}`,
  startedAt: runId,
  finishedAt: new Date().toISOString(),
  profile: profiles.size === 1 ? (profiles.has('quick') ? 'quick' : 'full') : 'mixed',
  failures,
};
rewriteBenchmarksDoc(run);
console.log(`\nrewrote ${DOC_PATH}`);
if (failures.length > 0) {
  console.error(`failed: ${failures.map((f) => `${f.id} (${f.reason})`).join('; ')}`);
  process.exitCode = 1;
}
