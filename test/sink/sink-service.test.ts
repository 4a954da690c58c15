/**
 * The sink service on a real nats-server and the embedded engine: everything published lands once, a crash
 * between insert and ack (the connection dies with the acks unsent) is followed by a redelivery that changes
 * no number, bad messages go to the dead letters alone, and the same service runs on the in-process bus.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchMsgId, encodeBatch, encodeInvalid, topology } from '@cctap/events';
import { connectNats, createInProcessBus, createJetStreamBus, createMetrics, provision } from '@cctap/kit';
import { consumerLag } from '@cctap/kit/internal';
import { shippedBook } from '@cctap/prices';
import { migrate, openStore, type Store } from '@cctap/store';
import { DEFAULT_RETENTION } from '@cctap/store/internal';
import { createSink, jetStreamPending } from '@cctap/sink';
import { batchRows } from '@cctap/sink/internal';
import { periodReport } from '@cctap/reports';
import type { Batch } from '@cctap/events';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort } from '../support/free-port.js';
import { startNats, type TestNats } from '../support/nats.js';
import { expectedDailyByModel, fixtureBatches } from './support/fixture-batches.js';

let nats: TestNats;
let dir: string;
let store: Store;

beforeAll(async () => {
  nats = await startNats();
  dir = mkdtempSync(join(tmpdir(), 'cctap-sink-service-'));
  store = await openStore({ dataDir: dir });
  await migrate(store, { ...DEFAULT_RETENTION, eventsTtlDays: 0 });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  await nats?.dispose();
});

async function byDayModel() {
  const r = await periodReport(store, 'daily', { tz: 'UTC' });
  return r.rows
    .flatMap((d) =>
      d.modelBreakdowns.map((b) => ({
        date: String(d.date),
        model: b.modelName,
        input: b.inputTokens,
        output: b.outputTokens,
        cacheCreation: b.cacheCreationTokens,
        cacheRead: b.cacheReadTokens,
        cost: b.cost,
      })),
    )
    .sort((a, b) => (a.date + a.model).localeCompare(b.date + b.model));
}

/** The max rule from the JSON lines, priced by the book the sink prices with (its default, the shipped one). */
function expected() {
  return microDollars(expectedDailyByModel(shippedBook()));
}

/** Costs to the micro-dollar: SQL and TypeScript add the same numbers in different orders. */
function microDollars<T extends { cost: number | null }>(rows: T[]): T[] {
  return rows.map((r) => ({ ...r, cost: r.cost === null ? null : Number(r.cost.toFixed(6)) }));
}

async function countUsageRows(batches: readonly Batch[]): Promise<number> {
  return batches.reduce((s, b) => s + batchRows(b).usage.length, 0);
}

async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sink service on JetStream', () => {
  it('survives a crash between insert and ack: redelivered batches change no number', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const t = topology(prefix);
    const admin = await connectNats({ servers: nats.url, name: 'sink-test-admin', waitOnFirstConnect: false });
    await provision(admin, { prefix, maxBytes: 64 * 1024 * 1024, ackWaitMs: 2000, maxDeliver: 5 });
    const jsm = await jetstreamManager(admin);
    const publisher = createJetStreamBus(admin, { topology: t });

    const batches = fixtureBatches();
    for (const b of batches) {
      await publisher.publish(t.subjects.events(b.host), encodeBatch(b), {
        msgId: batchMsgId(b.host, b.source.fileId, b.source.from, b.source.to),
      });
    }
    // One message that is not a batch: it must be dead-lettered alone, never block the rest.
    await publisher.publish(t.subjects.events('fixture-host'), new TextEncoder().encode('{"not":"a batch"'), {
      msgId: 'garbage-1',
    });
    await publisher.publish(
      t.subjects.invalid('fixture-host'),
      encodeInvalid({
        v: 1,
        reason: 'schema',
        detail: '/events/0/type',
        host: 'fixture-host',
        receivedAt: new Date().toISOString(), // inside the table's retention
        subject: t.subjects.raw('fixture-host'),
        source: null,
        eventId: null,
        eventType: null,
        ccVersion: null,
        raw: '{}',
      }),
      { msgId: 'inv-1' },
    );

    // First sink instance: inserts its first flush, then its process "dies" before acking (connection gone).
    const nc1 = await connectNats({ servers: nats.url, name: 'sink-1', waitOnFirstConnect: false });
    const bus1 = createJetStreamBus(nc1, { topology: t });
    let crashed = false;
    let inserted!: () => void;
    const insertedOnce = new Promise<void>((r) => (inserted = r));
    const sink1 = createSink({
      // One fetch loop: this instance holds exactly its first flush when it "dies".
      bus: bus1,
      store,
      consumers: ['sink-events'],
      batchSize: 20,
      fetchers: 1,
      afterInsert: async () => {
        crashed = true;
        inserted();
        await new Promise(() => {}); // never acks
      },
    });
    await sink1.start();
    await insertedOnce;
    expect(crashed).toBe(true);
    const afterCrash = await store.query<{ n: number }>('SELECT count() AS n FROM events');
    expect(Number(afterCrash[0]!.n)).toBeGreaterThan(0);
    await nc1.close(); // the acks of that flush are never sent

    // Second instance: gets the unacked flush again after ack_wait, and everything else.
    const nc2 = await connectNats({ servers: nats.url, name: 'sink-2', waitOnFirstConnect: false });
    const metrics = createMetrics('sink', { defaultMetrics: false });
    const bus2 = createJetStreamBus(nc2, { topology: t, metrics });
    const sink2 = createSink({
      bus: bus2,
      store,
      batchSize: 20,
      metrics,
      pending: await jetStreamPending(nc2, t),
      lagIntervalMs: 200,
    });
    await sink2.start();
    const drained = async (c: 'sink-events' | 'sink-invalid') => {
      const lag = await consumerLag(jsm, t.consumerStream(c), t.consumer(c));
      return lag.pending === 0 && lag.ackPending === 0;
    };
    await until(
      async () => (await drained('sink-events')) && (await drained('sink-invalid')),
      30_000,
      'the sink to drain',
    );

    expect(microDollars(await byDayModel())).toEqual(expected());
    const ev = await store.query<{ n: number; u: number }>('SELECT count() AS n, uniqExact(id) AS u FROM events FINAL');
    expect(Number(ev[0]!.n)).toBe(batches.reduce((s, b) => s + b.events.length, 0));
    expect(Number(ev[0]!.u)).toBe(Number(ev[0]!.n));
    const inv = await store.query<{ reason: string }>('SELECT reason FROM invalid_events FINAL');
    expect(inv).toEqual([{ reason: 'schema' }]);
    expect(sink2.health()).toMatchObject({ ready: true });
    // At least once: with this test's 2 s ack wait, a loaded machine can redeliver the garbage message before
    // the server has its term, and the sink counts each copy it sent to the dead letters.
    expect((sink2.health().details as { messagesDeadLettered: number }).messagesDeadLettered).toBeGreaterThanOrEqual(1);

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/cctap_sink_rows_total\{table="usage",service="sink"\} \d+/);
    expect(text).toMatch(
      /cctap_sink_flush_errors_total\{table="sink-events",kind="undecodable",service="sink"\} [1-9]/,
    );
    // The crashed flush really was delivered a second time.
    expect(text).toMatch(/cctap_redeliveries_total\{[^}]*sink-events[^}]*\} [1-9]/);
    expect(text).toMatch(/cctap_sink_consumer_pending_messages\{consumer="sink-events",service="sink"\} 0/);

    await sink2.stop();
    await bus2.close();
    await nc2.close();
    await publisher.close();
    await admin.close();
  });
});

describe('sink service while ClickHouse is unreachable', () => {
  it('holds the flush unacked, reports not ready, and loses nothing: the next sink catches up', async () => {
    const prefix = `u${randomBytes(4).toString('hex')}`;
    const t = topology(prefix);
    const admin = await connectNats({ servers: nats.url, name: 'sink-test-down', waitOnFirstConnect: false });
    await provision(admin, { prefix, maxBytes: 64 * 1024 * 1024, ackWaitMs: 2000, maxDeliver: 5 });
    const jsm = await jetstreamManager(admin);
    const publisher = createJetStreamBus(admin, { topology: t });
    const batches = fixtureBatches(400);
    for (const b of batches) {
      await publisher.publish(t.subjects.events(b.host), encodeBatch(b), {
        msgId: batchMsgId(b.host, b.source.fileId, b.source.from, b.source.to),
      });
    }

    // A real client on a server that answered when the store was opened (its /ping) and then went away:
    // every insert fails with ECONNREFUSED.
    const port = await freePort();
    const briefly = createServer((req, res) => res.end(req.url?.startsWith('/ping') ? 'Ok.\n' : ''));
    await new Promise<void>((r) => briefly.listen(port, '127.0.0.1', r));
    const down = await openStore({ url: `http://127.0.0.1:${port}` });
    briefly.closeAllConnections();
    await new Promise<void>((r) => briefly.close(() => r()));
    const metrics = createMetrics('sink-down', { defaultMetrics: false });
    const nc1 = await connectNats({ servers: nats.url, name: 'sink-down-1', waitOnFirstConnect: false });
    const bus1 = createJetStreamBus(nc1, { topology: t });
    const sink1 = createSink({ bus: bus1, store: down, consumers: ['sink-events'], batchSize: 5, metrics });
    await sink1.start();
    await until(async () => !sink1.health().ready, 10_000, 'the sink to notice the store is down');
    await new Promise((r) => setTimeout(r, 2500)); // longer than ack_wait: held messages must not be redelivered meanwhile
    const held = await jsm.consumers.info(t.consumerStream('sink-events'), t.consumer('sink-events'));
    // One flush held, one fetch waiting to join the next (two fetch loops), nothing else: memory bounded.
    expect(held.num_ack_pending).toBe(10);
    expect(held.num_redelivered).toBe(0); // the loop keeps the held flush alive
    expect(await metrics.registry.metrics()).toMatch(
      /cctap_sink_flush_errors_total\{table="events",kind="unavailable",service="sink-down"\} [1-9]/,
    );
    await sink1.stop(); // nak: back to the stream for whoever comes next
    await bus1.close();
    await nc1.close();
    await down.close();

    const before = await store.query<{ n: number }>('SELECT count() AS n FROM events FINAL');
    const nc2 = await connectNats({ servers: nats.url, name: 'sink-down-2', waitOnFirstConnect: false });
    const bus2 = createJetStreamBus(nc2, { topology: t });
    const sink2 = createSink({ bus: bus2, store, consumers: ['sink-events'], batchSize: 50 });
    await sink2.start();
    await until(
      async () => {
        const lag = await consumerLag(jsm, t.consumerStream('sink-events'), t.consumer('sink-events'));
        return lag.pending === 0 && lag.ackPending === 0;
      },
      30_000,
      'the second sink to catch up',
    );
    // Same fixtures as the first test (same ids): the table already had every event, and still has each once.
    const after = await store.query<{ n: number; u: number }>(
      'SELECT count() AS n, uniqExact(id) AS u FROM events FINAL',
    );
    expect(Number(after[0]!.n)).toBe(Number(before[0]!.n));
    expect(Number(after[0]!.u)).toBe(Number(after[0]!.n));
    expect(microDollars(await byDayModel())).toEqual(expected());
    // Every row went in at least once. More is allowed: with this test's 2 s ack_wait a flush that waits
    // longer on a loaded machine is redelivered to the other fetch loop; the tables absorb it (checked above).
    expect(sink2.health().details.rowsInserted).toBeGreaterThanOrEqual(
      batches.reduce((s, b) => s + b.events.length, 0) + (await countUsageRows(batches)),
    );
    await sink2.stop();
    await bus2.close();
    await nc2.close();
    await publisher.close();
    await admin.close();
  });
});

describe('sink service on the in-process bus', () => {
  it('publish resolves once the sink has inserted and acked; totals unchanged by a replay', async () => {
    const t = topology(`p${randomBytes(4).toString('hex')}`);
    const bus = createInProcessBus({ topology: t, consumers: ['sink-events'] });
    const sink = createSink({ bus, store, consumers: ['sink-events'] });
    await sink.start();
    const before = await periodReport(store, 'daily', { tz: 'UTC' });
    // Same batches under other msg ids (beyond the duplicate window): the tables' dedup absorbs them.
    for (const b of fixtureBatches(50))
      await bus.publish(t.subjects.events(b.host), encodeBatch(b), {
        msgId: `replay-${b.source.fileId}-${b.source.from}`,
      });
    expect(await periodReport(store, 'daily', { tz: 'UTC' })).toEqual(before);
    expect(sink.health().details.rowsInserted).toBeGreaterThan(0);
    await sink.stop();
    await bus.close();
  });
});
