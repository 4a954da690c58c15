/**
 * Collector benchmarks (results in docs/benchmarks.md, sections "Collector: ..."). The collector runs as the
 * real command (`node apps/cctap/dist/main.js collect`) in its own process, so RSS and CPU are its own.
 *
 *   backfill (ROOT | --size SIZE) [runs] [-- collect flags]
 *                                          a corpus tree, or the generated corpus of that size (bench/out/, cached)
 *   idle [runs] [-- collect flags]         10k transcripts (old mtimes) in 100 folders: ready time, RSS, CPU, re-sent
 *   latency [runs] [-- collect flags]      append -> PubAck at a steady 1k lines/s plus bursts: p50/p99, last line of bursts
 * Set BENCH_CPU_PROF=DIR to run the collector under `node --cpu-prof --cpu-prof-dir DIR`.
 * Each writes bench/out/results/collector-<what>.json (support/publish-result.ts).
 */
import { join } from 'node:path';
import { backfill } from './collector-backfill.js';
import { idle } from './collector-idle.js';
import { latency } from './collector-latency.js';
import { machine, REPO } from './collector-support.js';
import { parseSize } from './corpus/index.js';
import { metric } from './support/bench-result.js';
import { ensureCorpus } from './support/corpus-cache.js';
import { publishResult } from './support/publish-result.js';
import { spread } from './support/stats.js';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const nodeArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
const [what = 'idle'] = own;
const command = `npm run bench:collector -- ${argv.join(' ')}`;
console.log(`machine: ${machine()}`);
console.log(`command: node bench/dist/collector-bench.js ${argv.join(' ')}`);
const f1 = (x: number) => x.toFixed(1);

if (what === 'backfill') {
  let root = own[1];
  let runsArg = own[2];
  let source: string;
  if (root === '--size') {
    const size = own[2];
    if (!size) throw new Error('usage: collector-bench backfill --size 1GB [runs]');
    root = ensureCorpus(join(REPO, 'bench', 'out'), parseSize(size), 1).dir;
    runsArg = own[3];
    source = `the generated ${size} corpus (seed 1, bench/out/)`;
  } else {
    source = `the tree at ${root}`;
  }
  if (!root) throw new Error('usage: collector-bench backfill (ROOT | --size SIZE) [runs]');
  const r = await backfill(root, Number(runsArg ?? 3), extra, nodeArgs);
  const col = <K extends keyof (typeof r.rows)[number]>(k: K) => r.rows.map((x) => x[k]);
  publishResult({
    id: 'collector-backfill',
    command,
    metrics: [
      metric({
        id: 'mb-per-s',
        title: 'Backfill into JetStream, every batch acked',
        metric: 'corpus MB ÷ the collector\'s own backfill time (its "backfill done" line), one run',
        unit: 'MB/s',
        samples: col('mbps'),
        goal: { op: '>=', value: 80, source: 'collector issue' },
      }),
      metric({
        id: 'peak-rss',
        title: 'Backfill: peak RSS of the collector',
        metric: 'peak RSS sampled every 50 ms from /proc, one run',
        unit: 'MB',
        samples: col('rss'),
        digits: 0,
        goal: { op: '<=', value: 200, source: 'collector issue' },
      }),
      // robust to other load on the machine, like the normalizer's MB per CPU second
      metric({
        id: 'mb-per-cpu-s',
        title: 'Backfill: MB per collector CPU second',
        metric: 'corpus MB ÷ CPU seconds of the collector process, one run',
        unit: 'MB/CPU-s',
        samples: r.rows.map((x) => r.bytes / 1e6 / x.cpu),
        summary: false,
      }),
      metric({
        id: 'collector-cpu',
        title: 'Backfill: collector CPU',
        metric: 'CPU seconds of the collector process, one run',
        unit: 'CPU-s',
        samples: col('cpu'),
        summary: false,
      }),
      metric({
        id: 'nats-cpu',
        title: 'Backfill: nats-server CPU',
        metric: 'CPU seconds of nats-server during the run',
        unit: 'CPU-s',
        samples: col('natsCpu'),
        summary: false,
      }),
    ],
    details: [
      `Input: ${source}: ${r.files.toLocaleString('en-US')} files, ${f1(r.bytes / 1e6)} MB. \`cctap collect --once\` in its own process against a fresh nats-server (file store, R1) on the same machine; ${r.rows.length} runs.`,
      `Wall time including process start and NATS connect: median ${f1(spread(col('wall')).median)} s.`,
    ].join('\n'),
  });
} else if (what === 'idle') {
  const r = await idle(Number(own[1] ?? 3), extra, nodeArgs);
  publishResult({
    id: 'collector-idle',
    command,
    metrics: [
      metric({
        id: 'ready',
        title: 'Idle restart: ready (spawn → "backfill done")',
        metric: 'one restart over existing checkpoints, incl. node start and NATS connect',
        unit: 'ms',
        samples: r.readyMs,
        digits: 0,
        goal: { op: '<=', value: 2000, source: 'collector issue' },
      }),
      metric({
        id: 'rss',
        title: 'Idle: RSS at 10k files',
        metric: `RSS at the end of a ${r.idleSeconds} s idle window`,
        unit: 'MB',
        samples: r.rssMb,
        digits: 0,
        goal: { op: '<=', value: 80, source: 'collector issue' },
      }),
      metric({
        id: 'rss-peak',
        title: 'Idle: highest RSS in the window',
        metric: `highest RSS sampled each second of the ${r.idleSeconds} s idle window (before V8's memory reducer shrinks the heap left by start-up)`,
        unit: 'MB',
        samples: r.rssPeakMb,
        digits: 0,
        summary: false,
      }),
      metric({
        id: 'v8-heap',
        title: 'Idle: V8 heap committed',
        metric: 'process.memoryUsage().heapTotal at the end of the window',
        unit: 'MB',
        samples: r.memory.map((x) => x.heapTotal),
        summary: false,
      }),
      metric({
        id: 'v8-heap-used',
        title: 'Idle: V8 heap used',
        metric: 'process.memoryUsage().heapUsed at the end of the window (live objects plus garbage not collected yet)',
        unit: 'MB',
        samples: r.memory.map((x) => x.heapUsed),
        summary: false,
      }),
      metric({
        id: 'rss-file',
        title: 'Idle: file-backed RSS',
        metric: 'RssFile from /proc: the node binary and shared libraries',
        unit: 'MB',
        samples: r.memory.map((x) => x.rssFile),
        summary: false,
      }),
      metric({
        id: 'cpu',
        title: 'Idle: CPU at 10k files',
        metric: `CPU over a ${r.idleSeconds} s idle window, % of one core`,
        unit: '%',
        samples: r.cpuPercent,
        digits: 2,
        goal: { op: '<=', value: 0.5, source: 'collector issue' },
      }),
      metric({
        id: 'resent',
        title: 'Idle restarts: messages re-sent',
        metric: 'messages added to the raw stream by all restarts together',
        unit: 'messages',
        samples: [r.resent],
        digits: 0,
        goal: { op: '<=', value: 0, source: 'nothing re-sent' },
      }),
    ],
    details: [
      `Input: 10,000 transcripts of 3 lines in 100 folders, mtimes 30 days old, backfilled once; then ${r.readyMs.length} restarts of \`cctap collect\` (live mode, heartbeats off) over the existing checkpoints.${extra.length > 0 ? ` Extra collect flags: \`${extra.join(' ')}\`.` : ''}`,
      `Where the RSS is at the end of the window, per run (MB): ${r.memory.map((x) => `anon ${f1(x.rssAnon)} (V8 heap ${f1(x.heapTotal)} committed, ${f1(x.heapUsed)} used; malloc brk heap ${f1(x.brkHeap)}; external ${f1(x.external)}) + file-backed ${f1(x.rssFile)}`).join('; ')}.`,
    ].join('\n'),
  });
} else if (what === 'latency') {
  const r = await latency(Number(own[1] ?? 3), extra);
  publishResult({
    id: 'collector-latency',
    command,
    metrics: [
      metric({
        id: 'p99',
        title: 'Append → stored (PubAck), p99',
        metric: "one run's p99 over every appended line",
        unit: 'ms',
        samples: r.p99,
        goal: { op: '<=', value: 250, source: 'collector issue' },
      }),
      metric({
        id: 'p50',
        title: 'Append → stored (PubAck), p50',
        metric: "one run's p50",
        unit: 'ms',
        samples: r.p50,
        summary: false,
      }),
      metric({
        id: 'max',
        title: 'Append → stored (PubAck), max',
        metric: "one run's maximum",
        unit: 'ms',
        samples: r.max,
        summary: false,
      }),
      metric({
        id: 'burst-p99',
        title: 'Last line of a burst, p99',
        metric:
          "one run's p99 over the last line of each 300-line burst (only the trailing re-check or the sweep can see it)",
        unit: 'ms',
        samples: r.burstP99,
        summary: false,
      }),
      metric({
        id: 'lost',
        title: 'Lines not seen 3 s after the run',
        metric: 'lines never stored, one run',
        unit: 'lines',
        samples: r.lost,
        digits: 0,
        goal: { op: '<=', value: 0, source: 'nothing lost' },
      }),
    ],
    details: `Input: real transcript lines (test/fixtures/real, lines under 16 KB) appended to 4 session files at a steady 1,000 lines/s plus a 300-line burst every 3 s, ${r.runSeconds} s per run, ${r.p99.length} runs, ${r.lines.map((n) => n.toLocaleString('en-US')).join(' / ')} lines. Latency: from the return of appendFileSync to the arrival of the stored batch on a subscription of the raw subject.`,
  });
} else throw new Error(`unknown benchmark ${what}`);
process.exit(0);
