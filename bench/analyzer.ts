/**
 * Analyzer throughput: `npm run bench:analyzer` (= tsc -b && node bench/dist/analyzer.js).
 *
 * 1. Normalizes every real fixture (test/fixtures/real) once with TranscriptStream and clones the events into
 *    `--sessions` sessions (new session ids, event ids and source paths), all in memory: the timed part is the
 *    analyzer's core only (AnalyzerEngine.ingest in batches of 100 events, plus a tick per batch group).
 * 2. Re-executes itself pinned to one CPU (`taskset -c 0`) with --expose-gc when taskset exists.
 * 3. Runs `--runs` timed passes (fresh engine each) after a warm-up; reports events/s median and spread.
 * 4. Memory per live session: heap growth after ingesting all sessions with no timeout firing, divided by the
 *    number of sessions (after a forced GC).
 * 5. Many tiny sessions (analyzer-short-sessions.ts): `--short-sessions` one-line sessions with the default
 *    configuration, in a child process of its own so its peak RSS is its own: seconds and peak RSS.
 * 6. Writes bench/out/results/analyzer.json (support/publish-result.ts; re-renders docs/benchmarks.md unless --no-doc).
 *
 * Flags: --sessions 200 --runs 5 --short-sessions 100000 --no-doc
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fileId, stableUuid, type CctapEvent } from '@cctap/events';
import { TranscriptStream } from '@cctap/transcript';
import { AnalyzerEngine, resolveConfig } from '@cctap/analyzer/internal';
import { ManualClock } from '@cctap/kit/internal';
import { runShortSessions, type ShortSessionsResult } from './analyzer-short-sessions.js';
import { metric } from './support/bench-result.js';
import { npmCommand, publishResult } from './support/publish-result.js';
import { spread } from './support/stats.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '200' },
    runs: { type: 'string', default: '5' },
    'short-sessions': { type: 'string', default: '100000' },
    case: { type: 'string' },
    'no-doc': { type: 'boolean', default: false },
    pinned: { type: 'boolean', default: false },
  },
});

if (values.case === 'short') {
  console.log(JSON.stringify(await runShortSessions(Number(values['short-sessions']))));
  process.exit(0);
}

if (!values.pinned && spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status === 0) {
  const r = spawnSync(
    'taskset',
    ['-c', '0', process.execPath, '--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2), '--pinned'],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}

function fixtureEvents(path: string): CctapEvent[] {
  const st = statSync(path);
  const s = new TranscriptStream({
    host: 'bench',
    user: 'u',
    path,
    fileId: fileId(st.dev, st.ino, basename(path)),
    privacy: 'redacted',
    startOffset: 0,
    lastTs: null,
    fileTs: st.mtime.toISOString(),
  });
  return s.push(readFileSync(path)).flatMap((l) => l.events);
}

// bench/dist/analyzer.js -> test/fixtures/real/
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/real/', import.meta.url));
const base = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.jsonl'))
  .sort()
  .map((f) => fixtureEvents(`${FIXTURES}${f}`));
const nSessions = Number(values.sessions);
const batches: CctapEvent[][] = [];
let total = 0;
for (let i = 0; i < nSessions; i += 1) {
  const user = `user-${i % 20}`;
  for (const events of base) {
    const cloned = events.map(
      (e) =>
        ({
          ...e,
          id: stableUuid('bench', i, e.id),
          sessionId: `${e.sessionId}-${i}`,
          user,
          source: { ...e.source, path: `${e.source.path}#${i}` },
        }) as CctapEvent,
    );
    for (let j = 0; j < cloned.length; j += 100) batches.push(cloned.slice(j, j + 100));
    total += cloned.length;
  }
}

function run(): { seconds: number; engine: AnalyzerEngine } {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  // Huge timeouts: every session stays live (what we measure for memory); ticks still run and scan.
  const engine = new AnalyzerEngine(
    resolveConfig({ idleMs: 1e12, endMs: 1e12, waitingMs: 1e12, maxSessions: 1e6 }),
    clock,
  );
  const t0 = performance.now();
  batches.forEach((b, i) => {
    engine.ingest(b, i + 1);
    if (i % 1000 === 999) engine.tick();
  });
  return { seconds: (performance.now() - t0) / 1000, engine };
}

const gc = (globalThis as { gc?: () => void }).gc;
run(); // warm-up
const rates: number[] = [];
for (let r = 0; r < Number(values.runs); r += 1) rates.push(total / run().seconds);
const s = spread(rates);

gc?.();
const before = process.memoryUsage().heapUsed;
const kept = run();
gc?.();
const perSession = (process.memoryUsage().heapUsed - before) / kept.engine.stats().sessions;

// The short-sessions case in a fresh process (inherits the CPU pinning): its peak RSS is not this one's.
const child = spawnSync(
  process.execPath,
  [
    '--expose-gc',
    fileURLToPath(import.meta.url),
    '--case',
    'short',
    '--short-sessions',
    values['short-sessions'],
    '--pinned',
  ],
  { encoding: 'utf8', timeout: 15 * 60_000 },
);
if (child.status !== 0)
  throw new Error(`short-sessions case failed (${child.status ?? child.signal}): ${child.stderr}`);
const short = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ShortSessionsResult;

const goal = 30_000;
const details = [
  `- ${values.pinned ? 'Pinned to one CPU with taskset' : 'Not pinned (no taskset)'}; ${nSessions} copies of the ${base.length} real fixtures = ${kept.engine.stats().sessions} sessions, ${total.toLocaleString('en-US')} events, batches of 100, in memory; ${rates.length} timed runs after a warm-up`,
  `- Throughput median ${Math.round(s.median).toLocaleString('en-US')} events/s; memory per live session ~${Math.round(perSession / 1024)} KiB (heap growth / live sessions${gc ? ', after GC' : ', without --expose-gc'})`,
  `- ${short.sessions.toLocaleString('en-US')} one-line sessions, default configuration: ${short.seconds.toFixed(1)} s, peak RSS ${Math.round(short.peakRssMiB)} MiB, heap after GC ${Math.round(short.heapAfterGcMiB)} MiB, at most ${short.maxLiveSessions.toLocaleString('en-US')} sessions held (${short.liveSessions.toLocaleString('en-US')} at the end)`,
].join('\n');
console.log(details);
publishResult({
  id: 'analyzer',
  command: npmCommand('bench:analyzer'),
  metrics: [
    metric({
      id: 'events-per-s',
      title: 'AnalyzerEngine.ingest, one core',
      metric: 'events ÷ seconds of one pass over all batches',
      unit: 'events/s',
      samples: rates,
      digits: 0,
      goal: { op: '>=', value: goal, source: 'analyzer issue: one core' },
    }),
    metric({
      id: 'kib-per-session',
      title: 'Memory per live session',
      metric: 'heap growth after GC ÷ live sessions, one pass',
      unit: 'KiB',
      samples: [perSession / 1024],
      digits: 0,
    }),
    metric({
      id: 'short-sessions-seconds',
      title: `${short.sessions.toLocaleString('en-US')} one-line sessions: time`,
      metric: 'seconds to ingest them all, state saved per batch, ticks every clock second',
      unit: 's',
      samples: [short.seconds],
      digits: 1,
    }),
    metric({
      id: 'short-sessions-peak-rss',
      title: `${short.sessions.toLocaleString('en-US')} one-line sessions: peak RSS`,
      metric: 'maxRSS of the process that ran them',
      unit: 'MiB',
      samples: [short.peakRssMiB],
      digits: 0,
    }),
  ],
  details,
  noDoc: values['no-doc'],
});
