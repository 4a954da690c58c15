/**
 * End to end, single process: `cctap up --once` (the real binary, in-process bus, embedded ClickHouse) on a
 * generated corpus, every line into the store. MB/s over the collector's backfill time (from its
 * "backfill done" line: every batch acked by every consumer, i.e. inserted) and over the wall time of the
 * whole command (process start, migrations, backfill, final flush and summary); its peak RSS (VmHWM of the
 * process, read every 100 ms until it exits) and CPU seconds.
 * Against its anchor in the same run: before each `up --once`, this process reads every transcript of the
 * corpus and JSON.parses each line (the least any reader of the files does); the ratio of the two rates is
 * the backfill's share of the parser's speed.
 * With --scale, one more run (anchor, then `up --once`) per listed size: how time and memory grow with the
 * history a first start backfills.
 * Then latency: `cctap up` live on a small root; a line is appended to a live transcript and the loopback
 * query endpoint (up.json) is polled every 50 ms until a row with that (source_path, source_offset) is
 * queryable. p50/p99 over the appends.
 *
 *   npm run bench:e2e -- [--size 256MB] [--runs 3] [--scale 100MB,1GB,4GB] [--appends 60] [--no-doc]
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseSize } from './corpus/index.js';
import { ensureCorpus } from './support/corpus-cache.js';
import { askUp } from './support/ask-up.js';
import { startBackfilledUp } from './support/backfilled-up.js';
import { metric } from './support/bench-result.js';
import { cctapEnv } from './support/cctap-env.js';
import { npmCommand, publishResult } from './support/publish-result.js';

const CLI = fileURLToPath(new URL('../../apps/cctap/dist/main.js', import.meta.url));
const OUT = fileURLToPath(new URL('../out/', import.meta.url));

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '256MB' },
    runs: { type: 'string', default: '3' },
    scale: { type: 'string', default: '' },
    appends: { type: 'string', default: '60' },
    'no-doc': { type: 'boolean' },
  },
});
const size = parseSize(values.size);
const runs = Number(values.runs);
const scaleSizes = values.scale ? values.scale.split(',').map((x) => ({ label: x.trim(), bytes: parseSize(x) })) : [];
const appends = Number(values.appends);

function treeBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.jsonl')) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

/** The anchor: read every transcript and JSON.parse each line, in this process; MB/s. */
function bareParse(root: string): number {
  const t0 = performance.now();
  let bytes = 0;
  for (const e of readdirSync(join(root, 'projects'), { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.jsonl')) continue;
    const buf = readFileSync(join(e.parentPath, e.name));
    bytes += buf.byteLength;
    for (const line of buf.toString('utf8').split('\n')) if (line.length > 0) JSON.parse(line);
  }
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}

/** Peak RSS (VmHWM) and CPU seconds of a running process, as last read from /proc. */
function procWatch(pid: number): { stop: () => { peakRssMb: number; cpuSeconds: number } } {
  let peak = 0;
  let cpu = 0;
  const read = () => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
      // utime and stime, fields 14 and 15, in clock ticks (100 per second on Linux); after the command name
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu = (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // the process is gone: keep the last reading
    }
  };
  const timer = setInterval(read, 100);
  read();
  return {
    stop: () => {
      clearInterval(timer);
      return { peakRssMb: peak, cpuSeconds: cpu };
    },
  };
}

function runUp(args: string[]): {
  stderr: () => string;
  exited: Promise<number | null>;
  kill: () => void;
  pid: number;
} {
  const child = spawn(process.execPath, [CLI, 'up', ...args], { env: cctapEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    stderr: () => err,
    exited: new Promise((r) => child.on('exit', r)),
    kill: () => child.kill('SIGTERM'),
    pid: child.pid!,
  };
}

interface Backfill {
  mbps: number;
  wallMbps: number;
  seconds: number;
  wall: number;
  peakRssMb: number;
  cpuSeconds: number;
  /** The anchor measured just before: read + JSON.parse of the same files, MB/s. */
  bareMbps: number;
}

async function backfill(root: string): Promise<Backfill> {
  const bytes = treeBytes(join(root, 'projects'));
  const bareMbps = bareParse(root);
  const data = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  try {
    const t0 = performance.now();
    const up = runUp([
      '--root',
      root,
      '--data',
      join(data, 'data'),
      '--once',
      '--metrics-port',
      '0',
      '--log-format',
      'json',
    ]);
    const watch = procWatch(up.pid);
    const code = await up.exited;
    const wall = (performance.now() - t0) / 1000;
    const { peakRssMb, cpuSeconds } = watch.stop();
    if (code !== 0) throw new Error(`cctap up --once exited with ${code}\n${up.stderr().slice(-2000)}`);
    const line = up
      .stderr()
      .split('\n')
      .find((l) => l.includes('"msg":"backfill done'));
    const seconds = line ? (JSON.parse(line) as { seconds: number }).seconds : wall;
    return {
      mbps: bytes / 1e6 / seconds,
      wallMbps: bytes / 1e6 / wall,
      seconds,
      wall,
      peakRssMb,
      cpuSeconds,
      bareMbps,
    };
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

const query = async (port: number, token: string, sql: string) =>
  (await askUp(port, token, JSON.stringify({ op: 'query', sql }))) as Array<Record<string, number>>;

async function latency(template: string): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-live-'));
  const root = join(dir, 'claude');
  const projects = join(root, 'projects', '-bench-live');
  mkdirSync(projects, { recursive: true });
  const file = join(projects, '11111111-2222-4333-8444-555555555555.jsonl');
  writeFileSync(file, '');
  const up = startBackfilledUp([root], join(dir, 'data'), dir);
  const samples: number[] = [];
  try {
    const { port, token } = await up.ready(60_000);
    for (let i = 0; i < appends; i++) {
      const offset = statSync(file).size;
      const t0 = performance.now();
      appendFileSync(file, `${template.replace(/"uuid":"[^"]+"/, `"uuid":"bench-${i}-${Date.now()}"`)}\n`);
      for (;;) {
        const [r] = await query(
          port,
          token,
          `SELECT count() AS n FROM events WHERE source_path = '${file}' AND source_offset = ${offset}`,
        );
        if ((r?.n ?? 0) > 0) break;
        if (performance.now() - t0 > 30_000) throw new Error('a line did not arrive within 30 s');
        await new Promise((r2) => setTimeout(r2, 50));
      }
      samples.push((performance.now() - t0) / 1000);
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
    }
  } finally {
    await up.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}

const corpus = ensureCorpus(OUT, size, 1);
const root = corpus.dir;
console.log(
  `corpus ${(treeBytes(join(root, 'projects')) / 1e6).toFixed(0)} MB in ${root}${corpus.generated ? ' (generated)' : ''}`,
);
const describe = (b: Backfill) =>
  `${b.mbps.toFixed(1)} MB/s backfill (${b.seconds.toFixed(1)} s), ${b.wallMbps.toFixed(1)} MB/s wall (${b.wall.toFixed(1)} s), ` +
  `anchor ${b.bareMbps.toFixed(1)} MB/s (ratio ${(b.mbps / b.bareMbps).toFixed(3)}), peak RSS ${b.peakRssMb.toFixed(0)} MB, ${b.cpuSeconds.toFixed(1)} CPU-s`;
const results: Backfill[] = [];
for (let r = 0; r < runs; r++) {
  const b = await backfill(root);
  console.log(`run ${r + 1}: ${describe(b)}`);
  results.push(b);
}
const scaled: { label: string; mb: number; b: Backfill }[] = [];
for (const s of scaleSizes) {
  const c = ensureCorpus(OUT, s.bytes, 1);
  const b = await backfill(c.dir);
  const mb = treeBytes(join(c.dir, 'projects')) / 1e6;
  console.log(`scale ${s.label} (${mb.toFixed(0)} MB): ${describe(b)}`);
  scaled.push({ label: s.label, mb, b });
}
const firstLine = readFileSync(join(root, corpus.expected.files.find((f) => f.role === 'main')!.path), 'utf8')
  .split('\n')
  .find((l) => l.includes('"type":"user"'))!;
const lat = await latency(firstLine);
const sorted = [...lat].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const corpusMb = treeBytes(join(root, 'projects')) / 1e6;
const scaleTable = scaled.length
  ? [
      '',
      'How a first start grows with the history it backfills (one run per size, corpus generator seed 1):',
      '',
      '| History | Backfill | Whole `up --once` | MB/s | Anchor MB/s | Ratio | Peak RSS | CPU |',
      '|---|---|---|---|---|---|---|---|',
      ...scaled.map(
        ({ mb, b }) =>
          `| ${mb.toFixed(0)} MB | ${b.seconds.toFixed(1)} s | ${b.wall.toFixed(1)} s | ${b.mbps.toFixed(1)} | ${b.bareMbps.toFixed(1)} | ${(b.mbps / b.bareMbps).toFixed(3)} | ${b.peakRssMb.toFixed(0)} MB | ${b.cpuSeconds.toFixed(0)} CPU-s |`,
      ),
    ]
  : [];
const details = [
  `Corpus ${corpusMb.toFixed(0)} MB (seed 1), \`cctap up --once\` (in-process bus, embedded ClickHouse) ${runs} times, each after one pass of the anchor (read + JSON.parse of every line of the same files, in the benchmark's process); then \`cctap up\` live with ${appends} appends polled over the loopback query endpoint.`,
  `Whole \`up --once\` in wall time (incl. start and final flush): ${results.map((x) => x.wallMbps.toFixed(1)).join(' / ')} MB/s per run. Append latency: p50 ${pct(50).toFixed(2)} s, max ${sorted[sorted.length - 1]!.toFixed(2)} s.`,
  ...scaleTable,
].join('\n');
console.log(details);
const oneGb = scaled.find((x) => x.mb >= 900 && x.mb <= 1200);
publishResult({
  id: 'e2e-single',
  command: npmCommand('bench:e2e'),
  metrics: [
    metric({
      id: 'backfill-mb-per-s',
      title: 'Backfill into the store (`cctap up --once`)',
      metric: "corpus MB ÷ the collector's backfill time (every batch acked by every consumer), one run",
      unit: 'MB/s',
      samples: results.map((x) => x.mbps),
      goal: { op: '>=', value: 25, source: 'end-to-end issue' },
    }),
    metric({
      id: 'parse-ratio',
      title: 'Backfill ÷ bare read + JSON.parse of the same files',
      metric: 'backfill MB/s ÷ the anchor MB/s measured just before it, one run',
      unit: '×',
      samples: results.map((x) => x.mbps / x.bareMbps),
      digits: 3,
      goal: { op: '>=', value: 0.15, source: 'backfill issue (stretch 0.25)' },
    }),
    metric({
      id: 'anchor-mb-per-s',
      title: 'Anchor: read + JSON.parse of every line',
      metric: 'corpus MB ÷ seconds, one pass in the benchmark process',
      unit: 'MB/s',
      samples: results.map((x) => x.bareMbps),
      summary: false,
    }),
    metric({
      id: 'wall-mb-per-s',
      title: 'Whole `up --once`, wall',
      metric: 'corpus MB ÷ wall time of the command, one run',
      unit: 'MB/s',
      samples: results.map((x) => x.wallMbps),
      summary: false,
    }),
    metric({
      id: 'peak-rss',
      title: 'Peak RSS of `up --once`',
      metric: `VmHWM of the process, ${corpusMb.toFixed(0)} MB corpus, one run`,
      unit: 'MB',
      samples: results.map((x) => x.peakRssMb),
      digits: 0,
    }),
    ...(oneGb
      ? [
          metric({
            id: 'peak-rss-1gb',
            title: 'Peak RSS of `up --once` on 1 GB of transcripts',
            metric: `VmHWM of the process, ${oneGb.mb.toFixed(0)} MB corpus, one run`,
            unit: 'MB',
            samples: [oneGb.b.peakRssMb],
            digits: 0,
            goal: { op: '<=', value: 400, source: 'backfill issue' },
          }),
        ]
      : []),
    metric({
      id: 'append-p99',
      title: 'Append → row queryable over loopback, p99',
      metric: `p99 over ${appends} appends (one live run)`,
      unit: 's',
      samples: [pct(99)],
      digits: 2,
      goal: { op: '<=', value: 3, source: 'end-to-end issue' },
    }),
  ],
  details,
  noDoc: values['no-doc'] ?? false,
});
