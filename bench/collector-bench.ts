/**
 * Collector benchmarks (results in docs/benchmarks.md, section "Collector"). The collector runs as the real
 * command (`node packages/cli/dist/main.js collect`) in its own process, so RSS and CPU are its own.
 *
 *   backfill ROOT [runs] [-- collect flags]   a generated corpus (node bench/dist/corpus/generate.js --out DIR --size 300MB)
 *   idle [runs] [-- collect flags]            10k transcripts (old mtimes) in 100 folders: ready time, RSS, CPU, re-sent
 *   latency [runs] [-- collect flags]         append -> PubAck at a steady 1k lines/s plus bursts: p50/p99, last line of bursts
 * Set BENCH_CPU_PROF=DIR to run the collector under `node --cpu-prof --cpu-prof-dir DIR`.
 */
import { backfill } from './collector-backfill.js';
import { idle } from './collector-idle.js';
import { latency } from './collector-latency.js';
import { machine } from './collector-support.js';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const extra = dash >= 0 ? argv.slice(dash + 1) : [];
const nodeArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
const [what = 'idle'] = own;
console.log(`machine: ${machine()}`);
console.log(`command: node bench/dist/collector-bench.js ${argv.join(' ')}`);
if (what === 'backfill') {
  const root = own[1];
  if (!root) throw new Error('usage: collector-bench backfill ROOT [runs] (make ROOT with: node bench/dist/corpus/generate.js --out ROOT --size 300MB)');
  await backfill(root, Number(own[2] ?? 3), extra, nodeArgs);
} else if (what === 'idle') await idle(Number(own[1] ?? 3), extra, nodeArgs);
else if (what === 'latency') await latency(Number(own[1] ?? 3), extra);
else throw new Error(`unknown benchmark ${what}`);
process.exit(0);
