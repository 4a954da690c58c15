/**
 * Validator throughput (issue goal: >= 50k events/s on one core).
 *
 *   core: validateBatch() alone on pre-encoded batches in memory (ajv + limits + re-encoding)
 *   e2e:  the validator service against a real nats-server: CCTAP_RAW pre-filled, then timed from start
 *         until the durable consumer has nothing pending (outputs published and acked)
 *
 * Input: hand-built contract-valid events (prompt events with 200-800 chars of text and tool-call-like
 * envelopes), 100 per batch. The nats-server runs on the same machine and competes for its cores.
 * Usage: node bench/dist/validator.js [--batches N] [--runs N] (writes bench/out/results/validator.json;
 * re-renders docs/benchmarks.md unless CCTAP_BENCH_NO_DOC=1)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchMsgId, encodeBatch, SCHEMA_VERSION, topology, type Batch, type CctapEvent } from '@cctap/events';
import { eventId } from '@cctap/events/internal';
import { createContractValidator } from '@cctap/events/ajv';
import { connectNats, createJetStreamBus, createMetrics, provision, silentLogger } from '@cctap/kit';
import { createValidatorService } from '@cctap/validator';
import { validateBatch } from '@cctap/validator/internal';
import { jetstreamManager } from '@nats-io/jetstream';
import { metric } from './support/bench-result.js';
import { npmCommand, publishResult } from './support/publish-result.js';
import { spread, type Spread } from './support/stats.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const BATCHES = arg('batches', 400);
const RUNS = arg('runs', 5);
const PER_BATCH = 100;
const HOSTS = ['host-a', 'host-b', 'host-c', 'host-d'];

function makeBatch(i: number): Batch {
  const host = HOSTS[i % HOSTS.length]!;
  const fileId = `f${String(i).padStart(15, '0')}`;
  const events: CctapEvent[] = [];
  for (let k = 0; k < PER_BATCH; k++) {
    const offset = k * 700;
    const text = `Please refactor module ${k} of batch ${i}: `.padEnd(
      200 + ((i * 31 + k * 17) % 600),
      'lorem ipsum dolor sit amet ',
    );
    events.push({
      id: eventId(host, fileId, offset, 0),
      type: 'prompt',
      ts: '2026-02-12T16:02:27.718Z',
      tsSource: 'line',
      host,
      user: 'dev',
      sessionId: `session-${i % 50}`,
      agentId: null,
      sidechain: false,
      cwd: '/home/dev/work/project',
      project: '/home/dev/work/project',
      gitBranch: 'main',
      ccVersion: '2.1.3',
      lineUuid: null,
      parentUuid: null,
      source: { path: '/home/dev/.claude/projects/-home-dev-work-project/s.jsonl', offset },
      payload: { kind: 'human', text, chars: text.length, images: 0, permissionMode: null },
    });
  }
  return {
    v: SCHEMA_VERSION,
    host,
    source: { path: '/home/dev/.claude/projects/p/s.jsonl', fileId, from: 0, to: PER_BATCH * 700 },
    events,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startNatsServer(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.NATS_URL) return { url: process.env.NATS_URL, stop: async () => {} };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cctap-bench-nats-'));
  const child: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 500));
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const encoded = Array.from({ length: BATCHES }, (_, i) => encodeBatch(makeBatch(i)));
const totalBytes = encoded.reduce((n, b) => n + b.byteLength, 0);
const totalEvents = BATCHES * PER_BATCH;

function benchCore(): Spread {
  const contract = createContractValidator();
  const t = topology();
  const rates: number[] = [];
  for (let run = -1; run < RUNS; run++) {
    const t0 = performance.now();
    let valid = 0;
    for (let i = 0; i < encoded.length; i++) {
      const r = validateBatch(encoded[i]!, t.subjects.raw(HOSTS[i % HOSTS.length]!), {
        topology: t,
        contract,
        now: Date.now(),
        maxFutureMs: 86_400_000,
      });
      valid += r.valid?.batch.events.length ?? 0;
    }
    const s = (performance.now() - t0) / 1000;
    if (valid !== totalEvents) throw new Error(`expected ${totalEvents} valid events, got ${valid}`);
    if (run >= 0) rates.push(totalEvents / s);
  }
  return spread(rates);
}

async function benchEndToEnd(url: string): Promise<Spread> {
  const nc = await connectNats({ servers: url, name: 'bench-validator', waitOnFirstConnect: false });
  const rates: number[] = [];
  try {
    for (let run = -1; run < RUNS; run++) {
      const prefix = `b${run + 1}x${Date.now().toString(36)}`;
      const t = topology(prefix);
      await provision(nc, { prefix, maxBytes: 1024 * 1024 * 1024 });
      const bus = createJetStreamBus(nc, { topology: t });
      for (let i = 0; i < encoded.length; i += 64) {
        await Promise.all(
          encoded.slice(i, i + 64).map((b, k) => {
            const j = i + k;
            const host = HOSTS[j % HOSTS.length]!;
            return bus.publish(t.subjects.raw(host), b, { msgId: batchMsgId(host, `f${j}`, 0, 1) });
          }),
        );
      }
      const jsm = await jetstreamManager(nc);
      const service = createValidatorService({
        bus,
        topology: t,
        logger: silentLogger,
        metrics: createMetrics('validator', { defaultMetrics: false }),
      });
      const t0 = performance.now();
      await service.start();
      for (;;) {
        const ci = await jsm.consumers.info(t.stream('raw'), t.consumer('validator'));
        if (ci.num_pending === 0 && ci.num_ack_pending === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const s = (performance.now() - t0) / 1000;
      await service.stop('bench');
      const events = await jsm.streams.info(t.stream('events'));
      if (events.state.messages !== BATCHES)
        throw new Error(`expected ${BATCHES} output batches, got ${events.state.messages}`);
      if (run >= 0) rates.push(totalEvents / s);
      for (const k of ['raw', 'events', 'invalid', 'derived', 'alerts', 'dlq', 'advisories'] as const)
        await jsm.streams.delete(t.stream(k));
    }
  } finally {
    await nc.close();
  }
  return spread(rates);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mbps = (eventsPerS: number) => ((eventsPerS / totalEvents) * totalBytes) / 1e6;

const core = benchCore();
const nats = await startNatsServer();
let e2e: Spread;
try {
  e2e = await benchEndToEnd(nats.url);
} finally {
  await nats.stop();
}
const GOAL = 50_000;
const details = [
  'nats-server on the same machine.',
  `Input: ${BATCHES} batches x ${PER_BATCH} contract-valid prompt events (${(totalBytes / 1e6).toFixed(1)} MB, ${Math.round(totalBytes / totalEvents)} B/event).`,
  `Statistic: median of ${RUNS} runs after one warm-up, spread min–max. MB/s at the median: core ${mbps(core.median).toFixed(1)}, end to end ${mbps(e2e.median).toFixed(1)}.`,
].join('\n');
const goal = { op: '>=' as const, value: GOAL, source: 'validator issue: one core' };
console.log(`core ${fmt(core.median)} events/s, end to end ${fmt(e2e.median)} events/s`);
publishResult({
  id: 'validator',
  command: npmCommand('bench:validator'),
  metrics: [
    metric({
      id: 'core',
      title: 'Core: validateBatch (ajv + limits + re-encode), one thread',
      metric: 'events ÷ seconds of one pass over all batches',
      unit: 'events/s',
      samples: core.samples,
      digits: 0,
      goal,
    }),
    metric({
      id: 'e2e',
      title: 'End to end: CCTAP_RAW → validator service → CCTAP_EVENTS (acked)',
      metric: 'events ÷ seconds from service start until the consumer has nothing pending',
      unit: 'events/s',
      samples: e2e.samples,
      digits: 0,
      goal,
    }),
  ],
  details,
});
