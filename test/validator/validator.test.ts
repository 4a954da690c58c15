/**
 * The validator against a real nats-server: routing of valid and invalid events, forged hosts, crash
 * safety (SIGKILL of the real `cctap validator` process mid-stream) and replicas sharing the consumer.
 * The crash test runs the built CLI (apps/cctap/dist), which `npm test` builds before vitest runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeTrustedBatch, encodeBatch, topology, type Topology } from '@cctap/events';
import { invalidRecordSchema } from '@cctap/events/internal';
import {
  connectNats,
  createJetStreamBus,
  createMetrics,
  provision,
  silentLogger,
  type Bus,
  type Service,
} from '@cctap/kit';
import { createValidatorService } from '@cctap/validator';
import { startNats, type TestNats } from '../support/nats.js';
import { batchOf, batchWith, msgIdOf, promptEvent } from '../support/events.js';
import { waitFor } from '../support/wait-for.js';

const CLI = fileURLToPath(new URL('../../apps/cctap/dist/main.js', import.meta.url));
let nats: TestNats;
const conns: NatsConnection[] = [];

beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await Promise.all(conns.map((c) => c.close()));
  await nats?.dispose();
});

async function setup(): Promise<{ prefix: string; t: Topology; nc: NatsConnection; bus: Bus }> {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const nc = await connectNats({ servers: nats.url, name: `validator-test-${prefix}`, waitOnFirstConnect: false });
  conns.push(nc);
  await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024, maxDeliver: 5, ackWaitMs: 2000 });
  const t = topology(prefix);
  return { prefix, t, nc, bus: createJetStreamBus(nc, { topology: t }) };
}

async function consumerIdle(nc: NatsConnection, t: Topology): Promise<true | undefined> {
  const jsm = await jetstreamManager(nc);
  const ci = await jsm.consumers.info(t.stream('raw'), t.consumer('validator'));
  return ci.num_pending === 0 && ci.num_ack_pending === 0 ? true : undefined;
}

async function startInProcess(
  t: Topology,
  metrics = createMetrics('validator', { defaultMetrics: false }),
): Promise<{ service: Service; nc: NatsConnection }> {
  const nc = await connectNats({ servers: nats.url, name: 'validator-replica', waitOnFirstConnect: false });
  conns.push(nc);
  const service = createValidatorService({
    bus: createJetStreamBus(nc, { topology: t }),
    topology: t,
    logger: silentLogger,
    metrics,
  });
  await service.start();
  return { service, nc };
}

async function allStored(bus: Bus, stream: 'events' | 'invalid') {
  const out = [];
  for (let from = 1; ;) {
    const page = await bus.read(stream, { fromSeq: from, max: 500 });
    if (page.length === 0) return out;
    out.push(...page);
    from = page[page.length - 1]!.seq + 1;
  }
}

describe('validator', () => {
  it('routes valid events to events, every kind of invalid one to invalid with its reason, and rejects forged hosts', async () => {
    const { t, nc, bus } = await setup();
    const metrics = createMetrics('validator', { defaultMetrics: false });
    const { service } = await startInProcess(t, metrics);
    try {
      const good = batchOf(3, { host: 'host-a' });
      await bus.publish(t.subjects.raw('host-a'), encodeBatch(good), { msgId: msgIdOf(good) });
      const forged = batchOf(2, { host: 'host-b', from: 10_000 });
      await bus.publish(t.subjects.raw('host-a'), encodeBatch(forged), { msgId: msgIdOf(forged) });
      const mixed = batchWith(
        [
          promptEvent({ offset: 20_000 }),
          { ...promptEvent({ offset: 20_100 }), payload: { kind: 'bogus' } },
          promptEvent({ offset: 20_200, host: 'host-c' }),
          promptEvent({ offset: 20_300, ts: '2999-01-01T00:00:00.000Z' }),
        ],
        { from: 20_000, to: 20_400 },
      );
      await bus.publish(t.subjects.raw('host-a'), mixed, { msgId: 'mixed-1' });
      await bus.publish(t.subjects.raw('host-a'), new TextEncoder().encode('this is not json'), { msgId: 'garbage-1' });

      await waitFor('raw consumed', () => consumerIdle(nc, t));
      const events = await allStored(bus, 'events');
      const validIds = events.flatMap((m) => decodeTrustedBatch(m.data).events.map((e) => e.source.offset));
      expect(validIds.sort((a, b) => a - b)).toEqual([0, 100, 200, 20_000]);
      expect(events.every((m) => m.subject === t.subjects.events('host-a'))).toBe(true);

      const invalid = (await allStored(bus, 'invalid')).map((m) =>
        invalidRecordSchema.parse(JSON.parse(new TextDecoder().decode(m.data))),
      );
      const reasons = invalid.map((r) => r.reason).sort();
      expect(reasons).toEqual(['future_ts', 'host_mismatch', 'host_mismatch', 'not_json', 'schema', 'wrong_host']);
      expect(invalid.every((r) => r.host === 'host-a')).toBe(true);
      expect(invalid.find((r) => r.reason === 'not_json')!.raw).toBe('this is not json');

      const text = await metrics.registry.getSingleMetricAsString('cctap_validator_events_total');
      expect(text).toMatch(/result="invalid",reason="host_mismatch"[^}]*} 2/);
      expect(text).toMatch(/result="valid",reason="ok"[^}]*} 4/);
    } finally {
      await service.stop('test');
    }
  });

  it('two replicas sharing the durable consumer publish each valid event once', async () => {
    const { t, nc, bus } = await setup();
    const a = await startInProcess(t);
    const b = await startInProcess(t);
    try {
      const batches = Array.from({ length: 60 }, (_, i) => batchOf(10, { host: `host-${i % 3}`, from: i * 1000 }));
      await Promise.all(batches.map((x) => bus.publish(t.subjects.raw(x.host), encodeBatch(x), { msgId: msgIdOf(x) })));
      await waitFor('raw consumed', () => consumerIdle(nc, t));
      const events = await allStored(bus, 'events');
      const ids = events.flatMap((m) => decodeTrustedBatch(m.data).events.map((e) => e.id));
      expect(ids).toHaveLength(600);
      expect(new Set(ids).size).toBe(600);
    } finally {
      await a.service.stop('test');
      await b.service.stop('test');
    }
  });

  it('loses nothing and duplicates nothing when the validator process is SIGKILLed mid-stream', async () => {
    const { prefix, t, nc, bus } = await setup();
    const batches = Array.from({ length: 400 }, (_, i) => batchOf(25, { host: `host-${i % 4}`, from: i * 10_000 }));
    for (let i = 0; i < batches.length; i += 50) {
      await Promise.all(
        batches.slice(i, i + 50).map((x) => bus.publish(t.subjects.raw(x.host), encodeBatch(x), { msgId: msgIdOf(x) })),
      );
    }
    const spawnValidator = (): ChildProcess =>
      spawn(
        process.execPath,
        [
          CLI,
          'validator',
          '--nats',
          nats.url,
          '--prefix',
          prefix,
          '--metrics-port',
          '0',
          '--log-level',
          'error',
          '--fetch-batch',
          '16',
        ],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
    const jsm = await jetstreamManager(nc);
    const first = spawnValidator();
    // Kill it once part of the work is done, while it is still working.
    await waitFor('some progress', async () => {
      const s = await jsm.streams.info(t.stream('events'));
      return s.state.messages >= 40 ? true : undefined;
    });
    const exited = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await exited;
    const partial = (await jsm.streams.info(t.stream('events'))).state.messages;
    expect(partial).toBeLessThan(400);

    const second = spawnValidator();
    try {
      await waitFor('raw consumed after restart', () => consumerIdle(nc, t), 60_000);
    } finally {
      const gone = new Promise((r) => second.once('exit', r));
      second.kill('SIGTERM');
      expect(await gone).toBe(0);
    }
    const events = await allStored(bus, 'events');
    const ids = events.flatMap((m) => decodeTrustedBatch(m.data).events.map((e) => e.id));
    expect(ids).toHaveLength(400 * 25);
    expect(new Set(ids).size).toBe(400 * 25);
    expect(await allStored(bus, 'invalid')).toEqual([]);
  });
});
