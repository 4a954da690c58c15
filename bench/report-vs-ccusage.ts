/**
 * The daily report against its anchor, measured in the same run on the same corpus:
 * `ccusage daily` (20.0.24, native linux-x64 binary, offline prices) reading the generated transcripts as
 * CLAUDE_CONFIG_DIR, and `cctap report daily --json` answering from the store that bench/sink.ts built
 * from the same corpus (bench/out/sink-store-<size>-seed<seed>; run the sink benchmark first, as
 * `npm run bench` does).
 *
 * Each run times one ccusage command then one cctap command back to back (so both see the same load),
 * after one untimed warm-up of each (page cache). Both are timed as a user runs them: a new process, wall
 * clock. ccusage is installed once with `npx -y ccusage@20.0.24` and then run from its installed bin, so npm's
 * package resolution is not part of its time. If ccusage cannot be installed or run (offline machine), the
 * result says so and the cctap side is still measured.
 *
 * Also compares the day × model token rows of both with the generator's expected.json (the reference):
 * cctap must equal it; ccusage's known over-count on responses without requestId shows up as a difference.
 *
 * Flags: --size 1GB --seed 1 --runs 5 --no-doc
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseSize, type ExpectedCorpus } from './corpus/index.js';
import { metric } from './support/bench-result.js';
import { ensureCorpus } from './support/corpus-cache.js';
import { npmCommand, publishResult } from './support/publish-result.js';

const CCUSAGE = 'ccusage@20.0.24';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_OUT = join(REPO, 'bench', 'out');
const CLI = join(REPO, 'packages', 'cli', 'dist', 'main.js');

class StoreMissingError extends Error {
  override readonly name = 'StoreMissingError';
}

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1GB' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
    'no-doc': { type: 'boolean', default: false },
  },
});
const size = parseSize(args.size);
const seed = Number(args.seed);
const runs = Math.max(1, Number(args.runs));

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

interface Timed {
  seconds: number;
  stdout: string;
}

function timedRun(cmd: string, argv: string[], env: NodeJS.ProcessEnv): Timed {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { env, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited ${r.status}: ${r.stderr.slice(-1000)}`);
  return { seconds, stdout: r.stdout };
}

/** The installed ccusage bin, or why there is none. */
function installCcusage(): { bin: string } | { error: string } {
  const r = spawnSync('npx', ['-y', '-p', CCUSAGE, '-c', 'command -v ccusage'], { encoding: 'utf8', timeout: 300_000 });
  const bin = r.stdout?.trim().split('\n').pop();
  if (r.status !== 0 || !bin)
    return {
      error: `\`npx -y -p ${CCUSAGE}\` failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')}`,
    };
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) return { error: `${bin} --version failed: ${v.stderr}` };
  return { bin };
}

async function main(): Promise<void> {
  const corpus = ensureCorpus(BENCH_OUT, size, seed);
  const storeDir = join(BENCH_OUT, `sink-store-${size}-seed${seed}`);
  if (!existsSync(storeDir))
    throw new StoreMissingError(
      `no store at ${storeDir}: run \`npm run bench:sink -- --size ${args.size} --seed ${seed}\` first (npm run bench does)`,
    );
  const want = expectedRows(corpus.expected);
  console.log(
    `corpus ${corpus.dir}: ${corpus.expected.totals.files} files, ${(corpus.expected.totals.bytes / 1e6).toFixed(0)} MB`,
  );

  const installed = installCcusage();
  const ccusageBin = 'bin' in installed ? installed.bin : null;
  if (!ccusageBin) console.warn(`ccusage unavailable: ${'error' in installed ? installed.error : ''}`);
  // ccusage reads only CLAUDE_CONFIG_DIR; an empty HOME keeps it from finding any other agent's logs.
  const home = mkdtempSync(join(tmpdir(), 'bench-ccusage-home-'));
  const ccEnv = { ...process.env, CLAUDE_CONFIG_DIR: corpus.dir, HOME: home };
  const ccArgs = ['daily', '--offline', '--json', '--timezone', 'UTC'];
  const ctArgs = [CLI, 'report', 'daily', '--json', '--tz', 'UTC', '--data', storeDir];
  const ctEnv = { ...process.env };
  for (const k of Object.keys(ctEnv)) if (k === 'CLICKHOUSE_URL' || k.startsWith('CCTAP_')) delete ctEnv[k];

  const cc: number[] = [];
  const ct: number[] = [];
  let ccRows: string[] | null = null;
  let ctRows: string[] = [];
  try {
    for (let r = -1; r < runs; r++) {
      if (ccusageBin) {
        const a = timedRun(ccusageBin, ccArgs, ccEnv);
        if (r < 0) ccRows = reportRows(a.stdout);
        else cc.push(a.seconds);
      }
      const b = timedRun(process.execPath, ctArgs, ctEnv);
      if (r < 0) ctRows = reportRows(b.stdout);
      else ct.push(b.seconds);
      if (r >= 0)
        console.log(`run ${r + 1}/${runs}: ccusage ${cc[r]?.toFixed(3) ?? '—'} s, cctap ${ct[r]!.toFixed(3)} s`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }

  const ctExact = differingRows(ctRows, want) === 0;
  const ccDiff = ccRows ? differingRows(ccRows, want) : null;
  const ratios = cc.map((c, i) => c / (ct[i] as number));
  const details = [
    `Corpus: ${corpus.expected.totals.files} files, ${(corpus.expected.totals.bytes / 1e6).toFixed(0)} MB, ${corpus.expected.totals.responses} API responses (generated, seed ${seed}); ${want.length} day × model rows in expected.json.`,
    ccusageBin
      ? `ccusage: \`CLAUDE_CONFIG_DIR=<corpus> ccusage daily --offline --json --timezone UTC\` (${CCUSAGE}, installed with npx, run from its bin: a Node launcher and the native binary), re-reading every transcript on each run.`
      : `ccusage: **unavailable on this machine**: ${'error' in installed ? installed.error : ''}. Only the cctap side was measured.`,
    `cctap: \`cctap report daily --json --tz UTC --data <store>\` on the store the sink benchmark filled from the same corpus (a new process each run: Node, engine load, query).`,
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
        title: '`cctap report daily` (same corpus, from the store)',
        metric: 'one command, wall time',
        unit: 's',
        samples: ct,
        digits: 3,
      }),
      metric({
        id: 'speedup',
        title: 'ccusage time ÷ cctap time',
        metric: 'ratio of the two commands of one run',
        unit: '×',
        samples: ratios,
        digits: 2,
      }),
    ],
    checks: [
      { name: 'cctap report daily equals expected.json', ok: ctExact, detail: `${want.length} day × model rows` },
    ],
    details,
    noDoc: args['no-doc'],
  });
  if (!ctExact) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof StoreMissingError ? `report-vs-ccusage: ${err.message}` : err);
  process.exitCode = 1;
});
