/**
 * The daily report against its anchor, measured in the same run on the same corpus, cold and warm.
 *
 * The store: filled the way a user fills one, `cctap up --once --root <corpus> --data <store>`, kept under
 * bench/out/up-store-<size>-seed<seed> and reused while present (bench/support/store-cache.ts); --rebuild
 * fills a new one. The data directory also holds up's collector checkpoints, so the live `up` below resumes
 * from them instead of reading the corpus again.
 *
 * Cold (measured last, once the warm `up` below has stopped: the store as a user has it when `cctap up` does not
 * run): `ccusage daily` (20.0.24, native linux-x64 binary, offline prices) reading the generated transcripts
 * as CLAUDE_CONFIG_DIR, against `cctap report daily --json` opening the store itself (no `up` running). Each
 * run times one ccusage command then one cctap command back to back (so both see the same load), after one
 * untimed warm-up of each (page cache). Both are timed as a user runs them: a new process, wall clock.
 * ccusage is installed once with `npx -y -p ccusage@20.0.24` and then run from its installed bin, so npm's
 * package resolution is not part of its time. If ccusage cannot be installed or run (offline machine), the
 * result says so and the cctap side is still measured. Goal (backfill issue): cctap's time ≤ 0.2 × ccusage's.
 *
 * Warm: `cctap up --root <corpus> --data <store>` runs live on that store (ready once its backfill is done and
 * up.json names its loopback address, bench/support/backfilled-up.ts), then each run times
 *   (a) `cctap report daily --json` as a new process, which finds the running `up` and is answered by it over
 *       loopback: what a user types, and what the issue's "answered by a running `up` in ≤ 100 ms" is read as;
 *   (b) the loopback requests alone, from this process: the queries `cctap report daily` sends (the day ×
 *       model query and the price-book version, at once, with its ping), recorded from the report's own code.
 * One untimed warm-up of each first; up is stopped with SIGTERM at the end.
 *
 * Also compares the day × model token rows with the generator's expected.json (the reference): cctap must
 * equal it, cold and warm; ccusage's known over-count on responses without requestId shows up as a difference.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { periodReport } from '@cctap/reports';
import type { QueryOptions, Store } from '@cctap/store';
import { parseSize, type ExpectedCorpus } from './corpus/index.js';
import { askUp } from './support/ask-up.js';
import { startBackfilledUp } from './support/backfilled-up.js';
import { metric } from './support/bench-result.js';
import { cctapEnv } from './support/cctap-env.js';
import { ensureCorpus } from './support/corpus-cache.js';
import { npmCommand, publishResult } from './support/publish-result.js';
import { ensureUpStore } from './support/store-cache.js';

const CCUSAGE = 'ccusage@20.0.24';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_OUT = join(REPO, 'bench', 'out');
const CLI = join(REPO, 'apps', 'cctap', 'dist', 'main.js');
const COLD_GOAL = { op: '<=' as const, value: 0.2, source: 'backfill issue' };
const WARM_GOAL_MS = 100;

const USAGE = `usage: npm run bench:ccusage -- [options]

  --size SIZE       corpus size, e.g. 20MB, 1GB (default 1GB)
  --seed N          corpus seed (default 1)
  --runs N          timed cold runs: ccusage then cctap, each a new process (default 5)
  --warm-runs N     timed warm runs: report as a new process, then the loopback requests alone (default 20)
  --rebuild         fill a new store with \`cctap up --once\` even if bench/out/ holds one for this corpus
  --no-doc          write bench/out/results/ccusage.json only, leave docs/benchmarks.md as it is
  --help, -h        this help`;

class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';
}

function parseFlags() {
  try {
    return parseArgs({
      options: {
        size: { type: 'string', default: '1GB' },
        seed: { type: 'string', default: '1' },
        runs: { type: 'string', default: '5' },
        'warm-runs': { type: 'string', default: '20' },
        rebuild: { type: 'boolean', default: false },
        'no-doc': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    throw new BenchUsageError((err as Error).message);
  }
}

type Breakdown = {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
};
const rowKey = (day: string, b: Breakdown): string =>
  `${day}|${b.modelName}|${b.inputTokens}|${b.outputTokens}|${b.cacheCreationTokens}|${b.cacheReadTokens}`;

function expectedRows(e: ExpectedCorpus): string[] {
  return e.byDayModel
    .map((x) =>
      rowKey(x.day, {
        modelName: x.model,
        inputTokens: x.inputTokens,
        outputTokens: x.outputTokens,
        cacheCreationTokens: x.cacheCreationTokens,
        cacheReadTokens: x.cacheReadTokens,
      }),
    )
    .sort();
}

/** Day × model rows of a daily report; ccusage names the day `period` (v20) or `date`, cctap `date`. */
function reportRows(stdout: string): string[] {
  const r = JSON.parse(stdout) as { daily: Array<{ date?: string; period?: string; modelBreakdowns: Breakdown[] }> };
  return r.daily.flatMap((d) => d.modelBreakdowns.map((b) => rowKey(String(d.period ?? d.date), b))).sort();
}

/** How many (day, model) pairs have different token counts, or appear on one side only. */
function differingRows(got: readonly string[], want: readonly string[]): number {
  const w = new Set(want);
  const g = new Set(got);
  const dayModel = (row: string) => row.split('|').slice(0, 2).join('|');
  return new Set([...got.filter((x) => !w.has(x)), ...want.filter((x) => !g.has(x))].map(dayModel)).size;
}

const run = promisify(execFile);

/** One command as a new process, wall clock until it exited; asynchronous so up's log pipe keeps draining. */
async function timedRun(cmd: string, argv: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  try {
    const { stdout } = await run(cmd, argv, { env, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    return { ms: performance.now() - t0, stdout };
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${argv.join(' ')} failed: ${e.message}\n${(e.stderr ?? '').slice(-1000)}`, {
      cause: err,
    });
  }
}

/** The installed ccusage bin, or why there is none. */
async function installCcusage(): Promise<{ bin: string } | { error: string }> {
  let bin: string | undefined;
  try {
    const r = await run('npx', ['-y', '-p', CCUSAGE, '-c', 'command -v ccusage'], { timeout: 300_000 });
    bin = r.stdout.trim().split('\n').pop();
  } catch (err) {
    const e = err as Error & { stderr?: string };
    return {
      error: `\`npx -y -p ${CCUSAGE}\` failed (${e.message.split('\n')[0]}): ${(e.stderr ?? '').trim().split('\n').slice(-2).join(' ')}`,
    };
  }
  if (!bin) return { error: `\`npx -y -p ${CCUSAGE}\` named no ccusage bin` };
  try {
    await run(bin, ['--version']);
  } catch (err) {
    return { error: `${bin} --version failed: ${(err as Error).message}` };
  }
  return { bin };
}

/** The pid of a `cctap up` still holding `data` (its up.json names a live process): a cold run would be warm. */
function upHolding(data: string): number | null {
  const file = join(data, 'up.json');
  if (!existsSync(file)) return null;
  try {
    const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/**
 * The request bodies `cctap report daily --tz UTC` sends to a running up, taken from the report's own code
 * (periodReport on a store that forwards each query over loopback), so they cannot drift from it; and the same
 * questions without `reusable` (as `cctap sql` would ask them), which `up` runs on its engine every time.
 */
async function reportRequests(port: number, token: string): Promise<{ asked: string[]; computed: string[] }> {
  const asked: string[] = [];
  const computed: string[] = [];
  const refuse = () => Promise.reject(new Error('the benchmark asks read-only'));
  const store: Store = {
    kind: 'loopback',
    location: `cctap up on 127.0.0.1:${port}`,
    query: async <T>(sql: string, params?: Record<string, unknown>, opts?: QueryOptions) => {
      const body = { op: 'query', sql, ...(params ? { params } : {}) };
      const sent = JSON.stringify(opts?.reusable ? { ...body, reusable: true } : body);
      asked.push(sent);
      computed.push(JSON.stringify(body));
      return (await askUp(port, token, sent)) as T[];
    },
    command: refuse,
    insert: refuse,
    ping: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
  await periodReport(store, 'daily', { tz: 'UTC' });
  return { asked, computed };
}

async function main(): Promise<void> {
  const args = parseFlags();
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const size = parseSize(args.size);
  const seed = Number(args.seed);
  const runs = Math.max(1, Number(args.runs));
  const warmRuns = Math.max(1, Number(args['warm-runs']));
  if (!Number.isInteger(seed) || !Number.isFinite(runs) || !Number.isFinite(warmRuns))
    throw new BenchUsageError('--seed, --runs and --warm-runs take whole numbers');

  const corpus = ensureCorpus(BENCH_OUT, size, seed);
  const want = expectedRows(corpus.expected);
  const corpusMb = corpus.expected.totals.bytes / 1e6;
  console.log(`corpus ${corpus.dir}: ${corpus.expected.totals.files} files, ${corpusMb.toFixed(0)} MB`);
  const store = await ensureUpStore(
    BENCH_OUT,
    { dir: corpus.dir, size, seed },
    { rebuild: args.rebuild, onBuild: () => console.log('filling the store: cctap up --once ...') },
  );
  console.log(
    `store ${store.data}: ${store.built ? 'filled' : 'reused, filled'} by \`cctap up --once\` in ${store.buildSeconds.toFixed(1)} s`,
  );
  const holder = upHolding(store.data);
  if (holder !== null)
    throw new StoreBusyError(
      `a cctap up (pid ${holder}) runs on ${store.data}; stop it, the cold runs must open the store`,
    );

  const installed = await installCcusage();
  const ccusageBin = 'bin' in installed ? installed.bin : null;
  if (!ccusageBin) console.warn(`ccusage unavailable: ${'error' in installed ? installed.error : ''}`);
  // An empty HOME: ccusage reads only CLAUDE_CONFIG_DIR (no other agent's logs), cctap no settings of this user.
  const home = mkdtempSync(join(tmpdir(), 'bench-ccusage-home-'));
  const ccEnv = { ...process.env, CLAUDE_CONFIG_DIR: corpus.dir, HOME: home };
  const ccArgs = ['daily', '--offline', '--json', '--timezone', 'UTC'];
  const ctArgs = [CLI, 'report', 'daily', '--json', '--tz', 'UTC', '--data', store.data];
  const ctEnv = { ...cctapEnv(), HOME: home };

  const cc: number[] = [];
  const ct: number[] = [];
  const warmReport: number[] = [];
  const warmQuery: number[] = [];
  const warmComputed: number[] = [];
  let ccRows: string[] | null = null;
  let ctRows: string[] = [];
  let warmRows: string[] = [];
  let requests: number | undefined;
  try {
    const up = startBackfilledUp([corpus.dir], store.data, home);
    try {
      const t0 = performance.now();
      const { port, token } = await up.ready(1_800_000);
      console.log(`cctap up live on the store, ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const bodies = await reportRequests(port, token);
      requests = bodies.asked.length;
      const ask = async (list: string[]) => {
        const t1 = performance.now();
        await Promise.all(list.map((body) => askUp(port, token, body)));
        return performance.now() - t1;
      };
      for (let r = -1; r < warmRuns; r++) {
        const a = await timedRun(process.execPath, ctArgs, ctEnv);
        const q = await ask(bodies.asked);
        const c = await ask(bodies.computed);
        if (r < 0) {
          warmRows = reportRows(a.stdout);
          continue;
        }
        warmReport.push(a.ms);
        warmQuery.push(q);
        warmComputed.push(c);
        console.log(
          `warm ${r + 1}/${warmRuns}: report ${a.ms.toFixed(1)} ms, loopback requests ${q.toFixed(1)} ms (computed again: ${c.toFixed(1)} ms)`,
        );
      }
    } finally {
      await up.stop();
    }

    // Cold, after the live `up` has stopped: the store as a user has it when `cctap up` is not running.
    for (let r = -1; r < runs; r++) {
      if (ccusageBin) {
        const a = await timedRun(ccusageBin, ccArgs, ccEnv);
        if (r < 0) ccRows = reportRows(a.stdout);
        else cc.push(a.ms / 1000);
      }
      const b = await timedRun(process.execPath, ctArgs, ctEnv);
      if (r < 0) ctRows = reportRows(b.stdout);
      else ct.push(b.ms / 1000);
      if (r >= 0)
        console.log(`cold ${r + 1}/${runs}: ccusage ${cc[r]?.toFixed(3) ?? '—'} s, cctap ${ct[r]!.toFixed(3)} s`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }

  const ctExact = differingRows(ctRows, want) === 0;
  const warmExact = differingRows(warmRows, want) === 0;
  const ccDiff = ccRows ? differingRows(ccRows, want) : null;
  const ratios = cc.map((c, i) => (ct[i] as number) / c);
  const details = [
    `Corpus: ${corpus.expected.totals.files} files, ${corpusMb.toFixed(0)} MB, ${corpus.expected.totals.responses} API responses (generated, seed ${seed}); ${want.length} day × model rows in expected.json.`,
    `Store: filled by \`cctap up --once --root <corpus> --data <store>\` in ${store.buildSeconds.toFixed(1)} s (wall), kept in bench/out/ and reused by later runs.`,
    ccusageBin
      ? `ccusage: \`CLAUDE_CONFIG_DIR=<corpus> ccusage daily --offline --json --timezone UTC\` (${CCUSAGE}, installed with npx, run from its bin: a Node launcher and the native binary), re-reading every transcript on each run.`
      : `ccusage: **unavailable on this machine**: ${'error' in installed ? installed.error : ''}. Only the cctap side was measured.`,
    `Cold: \`cctap report daily --json --tz UTC --data <store>\` with no \`up\` running, measured after the warm runs' \`up\` has stopped (the store as a user has it when \`cctap up\` does not run): a new process each run (Node, engine load, query), alternating with ccusage, after one warm-up of each.`,
    `Warm: \`cctap up --root <corpus> --data <store>\` live on the same store (resumed from its checkpoints); the same command as a new process, answered by that \`up\` over loopback, and the ${requests ?? '?'} loopback queries the report sends (at once, with its ping), from this process, as the report sends them (reusable: \`up\` answers a question again from its last run while nothing was written since, packages/store/src/store/read-cache.ts) and without that mark (run on the engine each time, as after any write). The collector's heartbeat (every 30 s) is a write, so some runs are computed either way. The issue's "answered by a running \`up\` in ≤ 100 ms" is read as the command a user types; the requests alone show how much of it is the store.`,
    ccDiff === null
      ? ''
      : `ccusage's day × model rows against expected.json: ${ccDiff === 0 ? 'identical' : `${ccDiff} day × model rows differ (its known over-count of responses without \`requestId\`, docs/accuracy.md)`}.`,
  ]
    .filter(Boolean)
    .join('\n');
  console.log(details);
  publishResult({
    id: 'ccusage',
    command: npmCommand('bench:ccusage'),
    metrics: [
      metric({
        id: 'ccusage-daily',
        title: '`ccusage daily` (anchor)',
        metric: 'one command, wall time',
        unit: 's',
        samples: cc,
        digits: 3,
      }),
      metric({
        id: 'cctap-daily',
        title: '`cctap report daily`, cold (same corpus, opens the store)',
        metric: 'one command, wall time',
        unit: 's',
        samples: ct,
        digits: 3,
      }),
      metric({
        id: 'cold-ratio',
        title: 'cctap time ÷ ccusage time, cold',
        metric: 'ratio of the two commands of one run',
        unit: '×',
        samples: ratios,
        goal: COLD_GOAL,
        digits: 3,
      }),
      metric({
        id: 'warm-report',
        title: '`cctap report daily` answered by a running `up`',
        metric: 'one command (new process), wall time',
        unit: 'ms',
        samples: warmReport,
        goal: { op: '<=', value: WARM_GOAL_MS, source: 'backfill issue' },
        digits: 1,
      }),
      metric({
        id: 'warm-query',
        title: "The report's loopback requests alone",
        metric: 'its requests to the running `up`, sent at once, until all answered',
        unit: 'ms',
        samples: warmQuery,
        digits: 1,
        summary: false,
      }),
      metric({
        id: 'warm-query-computed',
        title: "The report's loopback requests, computed again",
        metric: 'the same requests without `reusable`: run on the engine each time, as after a write',
        unit: 'ms',
        samples: warmComputed,
        digits: 1,
        summary: false,
      }),
    ],
    checks: [
      { name: 'cctap report daily equals expected.json', ok: ctExact, detail: `${want.length} day × model rows` },
      {
        name: 'cctap report daily answered by up equals expected.json',
        ok: warmExact,
        detail: `${want.length} day × model rows`,
      },
    ],
    details,
    noDoc: args['no-doc'],
  });
  if (!ctExact || !warmExact) process.exitCode = 1;
}

main().catch((err: unknown) => {
  if (err instanceof BenchUsageError) {
    console.error(`report-vs-ccusage: ${err.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(err instanceof StoreBusyError ? `report-vs-ccusage: ${err.message}` : err);
    process.exitCode = 1;
  }
});
