/**
 * End to end, multi-process: `npm run bench:e2e-multi` (= tsc -b && node bench/dist/e2e-multi.js).
 *
 * Every service is its own OS process, started from the built CLI exactly as an operator would
 * (`cctap collect`, `cctap validator`, `cctap sink --data DIR`, default tuning), against a nats-server on
 * this machine (fresh store per run, streams provisioned under a bench prefix).
 *
 * 1. Backfill throughput: a generated corpus (bench/out/, cached) is backfilled from the moment the
 *    collector process is spawned (validator and sink already ready) until the last row is queryable.
 *    "Queryable" is read from JetStream: the sink acks a message only after its rows are inserted (DESIGN
 *    section 5), so the pipeline is done when the collector has read every byte with no checkpoint lag and
 *    the validator's and the sink's consumers have nothing pending or unacked and their ack floors are at
 *    their streams' last sequences. Polled every 50 ms. After each run the sink is stopped and
 *    `cctap report daily --json` is compared with the corpus's expected.json (outside the timing).
 * 2. Append -> row queryable latency: with the pipeline idle and live, lines of a real session are
 *    appended to a new transcript at a steady rate. Each line is mapped to the CCTAP_EVENTS sequence of the
 *    batch holding it (an ordered consumer in this process), and its latency ends when the sink-events ack
 *    floor reaches that sequence (polled every 20 ms, so an upper bound by up to 20 ms).
 * Also reported: CPU seconds of each process during the backfill (what bounds the result on 2 cores).
 *
 * Flags: --size 50MB --seed 1 --runs 5 --latency-runs 3 --lines 300 --rate 30 --no-doc
 *        --trace (print where the data waits, every second of a backfill)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeTrustedBatch, topology, type ConsumerKey, type Topology } from '@cctap/events';
import { connectNats, provision } from '@cctap/kit';
import { parseSize, type ExpectedCorpus } from './corpus/index.js';
import { ensureCorpus } from './support/corpus-cache.js';
import { metric as benchMetric } from './support/bench-result.js';
import { describeMachine, machineLine } from './support/machine.js';
import { npmCommand, publishResult } from './support/publish-result.js';
import { spread, type Spread } from './support/stats.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_OUT = join(REPO, 'bench', 'out');
const CLI = join(REPO, 'apps', 'cctap', 'dist', 'main.js');
const PREFIX = 'e2ebench';
const GOAL_MBPS = 25;
const GOAL_P99_S = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- processes -------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

interface Proc {
  name: string;
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
}

/** `cctap <command>` with its log in `logDir/<name>.log`; resolves once /readyz answers 200. */
async function startCli(name: string, command: string, args: string[], logDir: string): Promise<Proc> {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [CLI, command, ...args, '--metrics-port', '0', '--metrics-host', '127.0.0.1'], {
    cwd: REPO,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 60_000;
  let port: number | null = null;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${name} exited before it was ready:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    if (port === null) {
      const line = readFileSync(logFile, 'utf8')
        .split('\n')
        .find((l) => l.includes('probe server listening'));
      if (line) port = (JSON.parse(line) as { port: number }).port;
    }
    if (
      port !== null &&
      (await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      return { name, child, port, exited };
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} not ready within 60 s:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

async function stopCli(p: Proc): Promise<number | null> {
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 60_000);
  const code = await p.exited;
  clearTimeout(timer);
  return code;
}

/** CPU seconds (user + system) of a live process, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

async function metric(p: Proc, name: string): Promise<number | null> {
  const text = await fetch(`http://127.0.0.1:${p.port}/metrics`).then((r) => r.text());
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

interface Nats {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startNats(): Promise<Nats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-nats-'));
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `nats://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const nc = await connectNats({ servers: url, name: 'bench-provision' });
      await provision(nc, { prefix: PREFIX, maxBytes: 4 * 1024 ** 3 });
      await nc.close();
      break;
    } catch (err) {
      if (i > 100) throw err;
      await sleep(100);
    }
  }
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- one pipeline ----------------------------------------------------------------------------------

interface Pipeline {
  nats: Nats;
  nc: NatsConnection;
  jsm: JetStreamManager;
  t: Topology;
  dir: string;
  data: string;
  sink: Proc;
  validator: Proc;
  collector: Proc | null;
}

async function startPipeline(): Promise<Pipeline> {
  const nats = await startNats();
  const nc = await connectNats({ servers: nats.url, name: 'bench-e2e' });
  const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const data = join(dir, 'store');
  const common = ['--nats', nats.url, '--prefix', PREFIX];
  const [sink, validator] = await Promise.all([
    startCli('sink', 'sink', [...common, '--data', data], dir),
    startCli('validator', 'validator', common, dir),
  ]);
  return {
    nats,
    nc,
    jsm: await jetstreamManager(nc),
    t: topology(PREFIX),
    dir,
    data,
    sink,
    validator,
    collector: null,
  };
}

function startCollector(p: Pipeline, root: string): Promise<Proc> {
  return startCli(
    'collector',
    'collect',
    [
      '--nats',
      p.nats.url,
      '--prefix',
      PREFIX,
      '--root',
      root,
      '--state',
      join(p.dir, 'state'),
      '--host',
      'bench',
      '--os-user',
      'bench',
    ],
    p.dir,
  );
}

async function consumerDone(p: Pipeline, key: ConsumerKey): Promise<boolean> {
  const i = await p.jsm.consumers.info(p.t.consumerStream(key), p.t.consumer(key));
  const s = await p.jsm.streams.info(p.t.consumerStream(key));
  return i.num_pending === 0 && i.num_ack_pending === 0 && i.ack_floor.stream_seq >= s.state.last_seq;
}

/** Every byte read and acked by the collector, and nothing pending anywhere downstream. */
async function pipelineDone(p: Pipeline, bytes: number): Promise<boolean> {
  if (!p.collector) return false;
  const read = await metric(p.collector, 'cctap_collector_read_bytes_total');
  const lag = await metric(p.collector, 'cctap_collector_checkpoint_lag_bytes');
  const inFlight = await metric(p.collector, 'cctap_collector_in_flight_batches');
  if (read === null || read < bytes || lag !== 0 || (inFlight ?? 0) !== 0) return false;
  return (await consumerDone(p, 'validator')) && (await consumerDone(p, 'sink-events'));
}

/** Where the data is: bytes read by the collector, what waits at / is held by each consumer. */
async function traceLine(p: Pipeline): Promise<string> {
  const read = p.collector ? await metric(p.collector, 'cctap_collector_read_bytes_total') : 0;
  const inFlight = p.collector ? await metric(p.collector, 'cctap_collector_in_flight_batches') : 0;
  const c = async (k: ConsumerKey) => {
    const i = await p.jsm.consumers.info(p.t.consumerStream(k), p.t.consumer(k));
    return `${k} pending ${i.num_pending} unacked ${i.num_ack_pending}`;
  };
  return `collector read ${((read ?? 0) / 1e6).toFixed(1)} MB, in flight ${inFlight}; ${await c('validator')}; ${await c('sink-events')}`;
}

async function stopPipeline(p: Pipeline): Promise<void> {
  const codes = await Promise.all([p.collector, p.validator, p.sink].map((x) => (x ? stopCli(x) : Promise.resolve(0))));
  if (codes.some((c) => c !== 0))
    console.warn(`warning: exit codes collector/validator/sink ${codes.join('/')}; logs in ${p.dir}`);
  await p.nc.close();
  await p.nats.stop();
}

function runCli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`cctap ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** `cctap report daily --json` equals the generator's accounting per day and model. */
function reportMatches(data: string, expected: ExpectedCorpus): boolean {
  const r = JSON.parse(runCli(['report', 'daily', '--json', '--tz', 'UTC', '--data', data])) as {
    daily: Array<{
      date: string;
      modelBreakdowns: Array<{
        modelName: string;
        inputTokens: number;
        outputTokens: number;
        cacheCreationTokens: number;
        cacheReadTokens: number;
      }>;
    }>;
  };
  const key = (d: string, m: string, a: number, b: number, c: number, e: number) => `${d}|${m}|${a}|${b}|${c}|${e}`;
  const got = r.daily
    .flatMap((d) =>
      d.modelBreakdowns.map((x) =>
        key(d.date, x.modelName, x.inputTokens, x.outputTokens, x.cacheCreationTokens, x.cacheReadTokens),
      ),
    )
    .sort();
  const want = expected.byDayModel
    .map((x) => key(x.day, x.model, x.inputTokens, x.outputTokens, x.cacheCreationTokens, x.cacheReadTokens))
    .sort();
  return JSON.stringify(got) === JSON.stringify(want);
}

// ---- measurements ----------------------------------------------------------------------------------

interface BackfillRun {
  seconds: number;
  mbps: number;
  correct: boolean;
  cpu: { collector: number; validator: number; sink: number; nats: number };
}

async function backfillRun(corpusDir: string, expected: ExpectedCorpus): Promise<BackfillRun> {
  const p = await startPipeline();
  const cpu0 = {
    validator: cpuSeconds(p.validator.child.pid),
    sink: cpuSeconds(p.sink.child.pid),
    nats: cpuSeconds(p.nats.child.pid),
  };
  const t0 = performance.now();
  p.collector = await startCollector(p, corpusDir);
  let lastTrace = 0;
  while (!(await pipelineDone(p, expected.totals.bytes))) {
    if (trace && performance.now() - lastTrace > 1000) {
      lastTrace = performance.now();
      console.log(`  ${((lastTrace - t0) / 1000).toFixed(1)} s: ${await traceLine(p)}`);
    }
    await sleep(50);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = {
    collector: cpuSeconds(p.collector.child.pid),
    validator: cpuSeconds(p.validator.child.pid) - cpu0.validator,
    sink: cpuSeconds(p.sink.child.pid) - cpu0.sink,
    nats: cpuSeconds(p.nats.child.pid) - cpu0.nats,
  };
  await stopPipeline(p);
  const correct = reportMatches(p.data, expected);
  rmSync(p.dir, { recursive: true, force: true });
  return { seconds, mbps: expected.totals.bytes / 1e6 / seconds, correct, cpu };
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

interface LatencyRun {
  p50: number;
  p99: number;
  max: number;
  lines: number;
}

async function latencyRun(sessionLines: readonly string[], rate: number): Promise<LatencyRun> {
  const p = await startPipeline();
  const root = join(p.dir, 'root');
  const file = join(root, 'projects', '-home-bench-live', 'live-session.jsonl');
  mkdirSync(join(file, '..'), { recursive: true });
  p.collector = await startCollector(p, root);

  // CCTAP_EVENTS sequence of the batch holding each line's offset.
  const seqOf = new Map<number, number>();
  const js = jetstream(p.nc);
  const oc = await js.consumers.get(p.t.stream('events'), { deliver_policy: DeliverPolicy.All });
  const messages = await oc.consume();
  void (async () => {
    for await (const m of messages) {
      const b = decodeTrustedBatch(m.data);
      if (b.source.path !== file) continue;
      for (const e of b.events) if (!seqOf.has(e.source.offset)) seqOf.set(e.source.offset, m.seq);
    }
  })();

  const appendedAt = new Map<number, number>();
  const latencies: number[] = [];
  let offset = 0;
  const writer = (async () => {
    for (const line of sessionLines) {
      const bytes = Buffer.from(`${line}\n`);
      appendFileSync(file, bytes);
      appendedAt.set(offset, performance.now());
      offset += bytes.length;
      await sleep(1000 / rate);
    }
  })();
  const deadline = () => performance.now() + 60_000;
  let until = deadline();
  let writing = true;
  void writer.then(() => {
    writing = false;
    until = deadline();
  });
  while ((writing || appendedAt.size > 0) && performance.now() < until) {
    const floor = (await p.jsm.consumers.info(p.t.consumerStream('sink-events'), p.t.consumer('sink-events'))).ack_floor
      .stream_seq;
    const now = performance.now();
    for (const [off, at] of appendedAt) {
      const seq = seqOf.get(off);
      if (seq !== undefined && seq <= floor) {
        latencies.push((now - at) / 1000);
        appendedAt.delete(off);
      }
    }
    await sleep(20);
  }
  await messages.close();
  if (appendedAt.size > 0) console.warn(`warning: ${appendedAt.size} lines never became queryable within 60 s`);
  await stopPipeline(p);
  rmSync(p.dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? NaN,
    lines: latencies.length,
  };
}

// ---- main ------------------------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '50MB' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
    'latency-runs': { type: 'string', default: '3' },
    lines: { type: 'string', default: '300' },
    rate: { type: 'string', default: '30' },
    'no-doc': { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
  },
});
const size = parseSize(args.size);
const seed = Number(args.seed);
const runs = Math.max(1, Number(args.runs));
const latencyRuns = Math.max(1, Number(args['latency-runs']));
const rate = Math.max(1, Number(args.rate));
const trace = args.trace;

const machine = describeMachine();
console.log(`machine: ${machineLine(machine)}`);
const { dir: corpusDir, expected } = ensureCorpus(BENCH_OUT, size, seed);
console.log(
  `corpus: ${corpusDir} (${expected.totals.files} files, ${(expected.totals.bytes / 1e6).toFixed(1)} MB, ${expected.totals.lines} lines)`,
);

const backfills: BackfillRun[] = [];
for (let r = 0; r < runs; r++) {
  const b = await backfillRun(corpusDir, expected);
  backfills.push(b);
  const c = b.cpu;
  console.log(
    `backfill run ${r + 1}/${runs}: ${b.seconds.toFixed(1)} s = ${b.mbps.toFixed(1)} MB/s; report equal to expected.json: ${b.correct ? 'yes' : 'NO'}; CPU s collector ${c.collector.toFixed(1)}, validator ${c.validator.toFixed(1)}, sink ${c.sink.toFixed(1)}, nats-server ${c.nats.toFixed(1)}`,
  );
}

// The live session: the lines of the corpus's largest main transcript (real shapes, valid timestamps).
const biggest = [...expected.files].filter((f) => f.role === 'main').sort((a, b) => b.bytes - a.bytes)[0]!;
const sessionLines = readFileSync(join(corpusDir, ...biggest.path.split('/')), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0)
  .slice(0, Number(args.lines));
const latencyResults: LatencyRun[] = [];
for (let r = 0; r < latencyRuns; r++) {
  const l = await latencyRun(sessionLines, rate);
  latencyResults.push(l);
  console.log(
    `latency run ${r + 1}/${latencyRuns}: ${l.lines} lines at ${rate}/s, p50 ${l.p50.toFixed(2)} s, p99 ${l.p99.toFixed(2)} s, max ${l.max.toFixed(2)} s`,
  );
}

const fmt = (s: Spread, d = 1) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
const mbps = spread(backfills.map((b) => b.mbps));
const secs = spread(backfills.map((b) => b.seconds));
const cpuMed = (k: keyof BackfillRun['cpu']) => spread(backfills.map((b) => b.cpu[k])).median.toFixed(1);
const p99 = spread(latencyResults.map((l) => l.p99));
const p50 = spread(latencyResults.map((l) => l.p50));
const allCorrect = backfills.every((b) => b.correct);
const details = `- nats-server on the same machine (\`nats-server -js\`, file store); path: \`cctap collect\` -> NATS -> \`cctap validator\` -> NATS -> \`cctap sink --data DIR\` (embedded ClickHouse), each its own process with default settings
- Corpus: ${expected.totals.files} files, ${(expected.totals.bytes / 1e6).toFixed(1)} MB, ${expected.totals.lines} lines, ${expected.totals.responses} API responses (generated, seed ${seed})
- Backfill: ${runs} runs, ${fmt(secs)} s each (median, min–max); latency: ${latencyRuns} runs of ${sessionLines.length} lines at ${rate} lines/s, p50 ${fmt(p50, 2)} s
- CPU seconds during a backfill (median): collector ${cpuMed('collector')}, validator ${cpuMed('validator')}, sink ${cpuMed('sink')}, nats-server ${cpuMed('nats')}`;
console.log(`\n${details}`);
publishResult({
  id: 'e2e-multi',
  command: npmCommand('bench:e2e-multi', ['--no-doc', '--trace']),
  metrics: [
    benchMetric({
      id: 'backfill-mb-per-s',
      title: 'Backfill, collector spawn → last row queryable',
      metric: 'corpus MB ÷ seconds, one run',
      unit: 'MB/s',
      samples: mbps.samples,
      goal: { op: '>=', value: GOAL_MBPS, source: 'end-to-end issue' },
    }),
    benchMetric({
      id: 'append-p99',
      title: 'Append → row queryable, p99',
      metric: `one run's p99 over ${sessionLines.length} lines`,
      unit: 's',
      samples: p99.samples,
      digits: 2,
      goal: { op: '<=', value: GOAL_P99_S, source: 'end-to-end issue' },
    }),
  ],
  checks: [
    {
      name: '`cctap report daily --json` equals expected.json after every run',
      ok: allCorrect,
      detail: `${backfills.length} runs`,
    },
  ],
  details,
  noDoc: args['no-doc'],
});
if (!allCorrect) process.exitCode = 1;
