/**
 * Sink insert throughput and report latency: `npm run bench:sink` (= tsc -b && node bench/dist/sink.js).
 *
 * 1. Generates (or reuses) a corpus under bench/out/ (default 1 GB, the size ccusage's own benchmark quotes).
 * 2. Normalizes it file by file with TranscriptStream and inserts the rows into a fresh embedded store in
 *    flushes of ~10k rows, as the sink does (events + usage, one insert per table per flush, dedup tokens).
 *    Only the insert calls are timed: the per-flush rate (rows/s) gives median and spread.
 * 3. Syncs the shipped price book into the store (as the sink does at start), so the report prices every
 *    response by the join it runs in production. Times `periodReport(daily)` in process (N runs after a warm-up) and the `cctap report daily --json`
 *    command end to end (a fresh process each time: Node start, engine load, query, JSON).
 * 4. Checks, outside the timed parts, that the daily report equals the corpus's expected.json exactly.
 * 5. Writes bench/out/results/sink.json (support/publish-result.ts; re-renders docs/benchmarks.md unless
 *    --no-doc). The store stays in bench/out/sink-store-<size>-seed<seed> for bench/report-vs-ccusage.ts.
 *
 * Flags: --size 1GB --seed 1 --runs 7 --no-doc
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCHEMA_VERSION } from '@cctap/events';
import { shippedBook } from '@cctap/prices';
import { batchRows } from '@cctap/sink/internal';
import { insertRows, migrate, openStore, syncPrices, type Store } from '@cctap/store';
import { DEFAULT_RETENTION } from '@cctap/store/internal';
import { periodReport } from '@cctap/reports';
import { TranscriptStream } from '@cctap/transcript';
import { parseSize } from './corpus/index.js';
import { ensureCorpus } from './support/corpus-cache.js';
import { metric } from './support/bench-result.js';
import { describeMachine, machineLine } from './support/machine.js';
import { npmCommand, publishResult } from './support/publish-result.js';
import { spread, type Spread } from './support/stats.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_OUT = join(REPO, 'bench', 'out');
const CLI = join(REPO, 'apps', 'cctap', 'dist', 'main.js');
const FLUSH_ROWS = 10_000;

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1GB' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '7' },
    'no-doc': { type: 'boolean', default: false },
  },
});
const size = parseSize(args.size);
const seed = Number(args.seed);
const runs = Math.max(3, Number(args.runs));

async function ingest(store: Store, dir: string, files: readonly { path: string; host: string }[]) {
  const rates: number[] = [];
  let insertSeconds = 0;
  let rows = 0;
  let bytes = 0;
  let events: object[] = [];
  let usage: object[] = [];
  let ids: string[] = [];
  const flush = async () => {
    const n = events.length + usage.length;
    if (n === 0) return;
    const t0 = performance.now();
    await insertRows(store, 'events', events, ids);
    await insertRows(store, 'usage', usage, ids);
    const s = (performance.now() - t0) / 1000;
    insertSeconds += s;
    rows += n;
    rates.push(n / s);
    events = [];
    usage = [];
    ids = [];
  };
  const t0 = performance.now();
  for (const [i, f] of files.entries()) {
    const fileId = `bench${String(i).padStart(11, '0')}`;
    const data = readFileSync(join(dir, f.path));
    bytes += data.length;
    const stream = new TranscriptStream({
      host: f.host,
      user: 'bench',
      path: f.path,
      fileId,
      privacy: 'redacted',
      startOffset: 0,
      lastTs: null,
      fileTs: '2026-01-01T00:00:00.000Z',
    });
    const lines = stream.push(data);
    const r = batchRows({
      v: SCHEMA_VERSION,
      host: f.host,
      source: { path: f.path, fileId, from: 0, to: stream.offset },
      events: lines.flatMap((l) => l.events),
    });
    for (const e of r.events) events.push(e);
    for (const u of r.usage) usage.push(u);
    ids.push(fileId);
    if (events.length + usage.length >= FLUSH_ROWS) await flush();
  }
  await flush();
  return {
    rates: spread(rates),
    rows,
    insertSeconds,
    totalSeconds: (performance.now() - t0) / 1000,
    bytes,
    flushes: rates.length,
  };
}

function fmt(s: Spread, unit: (x: number) => string): string {
  return `${unit(s.median)} (${unit(s.min)}–${unit(s.max)})`;
}

async function main(): Promise<void> {
  const machine = describeMachine();
  console.log(`machine: ${machineLine(machine)}`);
  const { dir, expected, generated } = ensureCorpus(BENCH_OUT, size, seed);
  console.log(
    `corpus ${dir} (${generated ? 'generated' : 'cached'}): ${expected.totals.files} files, ${(expected.totals.bytes / 1e6).toFixed(0)} MB`,
  );

  const storeDir = join(BENCH_OUT, `sink-store-${size}-seed${seed}`);
  rmSync(storeDir, { recursive: true, force: true });
  const store = await openStore({ dataDir: storeDir });
  await migrate(store, { ...DEFAULT_RETENTION, eventsTtlDays: 0 });
  const ing = await ingest(store, dir, expected.files);
  await syncPrices(store, shippedBook());
  console.log(
    `inserted ${ing.rows} rows in ${ing.flushes} flushes: ${fmt(ing.rates, (x) => `${Math.round(x)}`)} rows/s per flush; ${Math.round(ing.rows / ing.insertSeconds)} rows/s overall; ingest incl. normalize ${ing.totalSeconds.toFixed(1)} s`,
  );

  // Correctness first, outside the timing: the report equals the generator's accounting.
  const report = await periodReport(store, 'daily', { tz: 'UTC' });
  const got = report.rows
    .flatMap((d) =>
      d.modelBreakdowns.map(
        (b) =>
          `${String(d.date)}|${b.modelName}|${b.inputTokens}|${b.outputTokens}|${b.cacheCreationTokens}|${b.cacheReadTokens}`,
      ),
    )
    .sort();
  const want = expected.byDayModel
    .map((x) => `${x.day}|${x.model}|${x.inputTokens}|${x.outputTokens}|${x.cacheCreationTokens}|${x.cacheReadTokens}`)
    .sort();
  const exact = JSON.stringify(got) === JSON.stringify(want);
  console.log(`daily report equals expected.json: ${exact}`);

  // The query run each time: a report marks its reads reusable, and without this the embedded store would give
  // its kept answer from the second run on (read-cache.ts), which times the cache, not the query.
  const computed: Store = {
    ...store,
    query: (sql, params, opts) => store.query(sql, params, { ...opts, reusable: false }),
  };
  const inProcess: number[] = [];
  await periodReport(computed, 'daily', { tz: 'UTC' });
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await periodReport(computed, 'daily', { tz: 'UTC' });
    inProcess.push((performance.now() - t0) / 1000);
  }
  const usageRows = Number((await store.query<{ n: number }>('SELECT count() AS n FROM usage'))[0]!.n);
  await store.close();

  const cli: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'report', 'daily', '--json', '--tz', 'UTC', '--data', storeDir], {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    });
    const s = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`cctap report failed: ${r.stderr}`);
    if (i > 0) cli.push(s);
  }
  const ip = spread(inProcess);
  const cs = spread(cli);
  const sec = (x: number) => `${x.toFixed(3)} s`;
  console.log(`report daily in process: ${fmt(ip, sec)}; cctap report daily --json: ${fmt(cs, sec)}`);

  const goal = { op: '<=' as const, value: 0.3, source: 'sink issue: report on a large corpus' };
  const details = [
    `Embedded engine (chdb, ClickHouse in-process). Corpus: ${expected.totals.files} files, ${(ing.bytes / 1e6).toFixed(0)} MB (seed ${seed}),`,
    `${expected.totals.responses} API responses; ${ing.rows} rows inserted (events + usage) in ${ing.flushes} flushes of ~10k rows, ${usageRows} usage rows.`,
    `Overall insert rate (all flushes): ${Math.round(ing.rows / ing.insertSeconds).toLocaleString('en-US')} rows/s; ingest including normalizing: ${ing.totalSeconds.toFixed(1)} s.`,
    'The comparison with ccusage on the same corpus is its own section ("Reports against ccusage").',
  ].join('\n');
  console.log(details);
  publishResult({
    id: 'sink',
    command: npmCommand('bench:sink'),
    metrics: [
      metric({
        id: 'insert-rows-per-s',
        title: 'Insert per ~10k-row flush (events + usage, dedup token)',
        metric: 'rows ÷ seconds of one flush (one insert per table)',
        unit: 'rows/s',
        samples: ing.rates.samples,
        digits: 0,
      }),
      metric({
        id: 'report-in-process',
        title: "periodReport('daily') in process",
        metric: 'one report, its queries run on the engine, after a warm-up',
        unit: 's',
        samples: ip.samples,
        digits: 3,
        goal,
      }),
      metric({
        id: 'report-command',
        title: '`cctap report daily --json` (new process: Node, engine load, query)',
        metric: 'one command, wall time',
        unit: 's',
        samples: cs.samples,
        digits: 3,
        goal,
      }),
    ],
    checks: [
      {
        name: "daily report equals the generator's expected accounting",
        ok: exact,
        detail: `${want.length} day × model rows`,
      },
    ],
    details,
    noDoc: args['no-doc'],
  });
  if (!exact) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
