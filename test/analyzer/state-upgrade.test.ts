/**
 * An upgrade with live sessions: the analyzer service, against a real nats-server, finds in its KV bucket the
 * unversioned (v1) state the previous release wrote (services/analyzer/src/core/fixtures/snapshot-v1.json),
 * restores it, and on the events that follow publishes what that release derived from them: copies of lines
 * it had counted count once, unanswered calls pair with late results, ended sessions reopen.
 */
import { batchMsgId, SCHEMA_VERSION, topology, type Batch, type CctapEvent, type DerivedEvent } from '@cctap/events';
import { connectNats, createJetStreamBus, provision, type JetStreamBus } from '@cctap/kit';
import { createAnalyzer } from '@cctap/analyzer';
import { KvStateStore, type AnalyzerConfigInput } from '@cctap/analyzer/internal';
import { ManualClock } from '@cctap/kit/internal';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import v1 from '../../services/analyzer/src/core/fixtures/snapshot-v1.json' with { type: 'json' };
import { startNats, type TestNats } from '../support/nats.js';
import { waitFor } from '../support/wait-for.js';

interface V1Fixture {
  config: AnalyzerConfigInput;
  snapshotAtMs: number;
  snapshot: { sessions: string[]; baselines: string[] };
  next: { events: { ev: CctapEvent; seq: number }[]; ticks: number[]; derived: DerivedEvent[] };
}
const fixture = v1 as unknown as V1Fixture;

const t = topology('upg');
const enc = new TextEncoder();
const dec = new TextDecoder();
let nats: TestNats;
let nc: NatsConnection;
let bus: JetStreamBus;

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'analyzer-upgrade-test' });
  await provision(nc, { prefix: 'upg', maxBytes: 64 * 1024 * 1024, ackWaitMs: 5000 });
  bus = createJetStreamBus(nc, { topology: t });
});

afterAll(async () => {
  await bus?.close();
  await nc?.close();
  await nats?.dispose();
});

async function publish(events: CctapEvent[], n: number): Promise<void> {
  const batch: Batch = {
    v: SCHEMA_VERSION,
    host: 'host-a',
    source: { path: 'upgrade', fileId: 'f-upgrade', from: n, to: n + 1 },
    events,
  };
  await bus.publish(t.subjects.events('host-a'), enc.encode(JSON.stringify(batch)), {
    msgId: batchMsgId('host-a', 'f-upgrade', n, n + 1),
  });
}

async function derivedStored(): Promise<DerivedEvent[]> {
  const msgs = await bus.read('derived', { fromSeq: 1, max: 1000 });
  return msgs.map((m) => JSON.parse(dec.decode(m.data)) as DerivedEvent);
}

it('restores the previous release state from KV and derives what that release derived next', async () => {
  const kv = await new Kvm(nc).open(t.bucket('analyzer'));
  const store = new KvStateStore(kv);
  const keyOf = (text: string) => (JSON.parse(text) as { key: string }).key;
  const userOf = (text: string) => (JSON.parse(text) as { user: string }).user;
  await store.save({
    upserts: new Map(fixture.snapshot.sessions.map((s) => [keyOf(s), s])),
    deletes: [],
    baselines: new Map(fixture.snapshot.baselines.map((b) => [userOf(b), b])),
  });
  // The stream is where the previous release left it: past the sequences its sessions applied.
  const { events, ticks, derived } = fixture.next;
  let n = 0;
  while (n < events[0]!.seq - 1) await publish([], n++);

  const clock = new ManualClock(fixture.snapshotAtMs);
  const analyzer = createAnalyzer({
    bus,
    clock,
    topology: t,
    store,
    config: fixture.config,
    autoTick: false,
    batchSize: 1,
  });
  await analyzer.start();
  try {
    expect(analyzer.engine.stats().sessions).toBe(3);
    clock.set(Math.max(...events.map((e) => Date.parse(e.ev.ts))));
    for (const { ev } of events) await publish([ev], n++);
    const jsm = await jetstreamManager(nc);
    await waitFor('continuation applied and acked', async () => {
      const c = await jsm.consumers.info(t.consumerStream('analyzer'), t.consumer('analyzer'));
      return c.num_pending + c.num_ack_pending === 0 && analyzer.health().details?.outbox === 0;
    });
    for (const at of ticks) {
      clock.set(at);
      await analyzer.tick();
    }
    await waitFor('derived events published', async () => (await derivedStored()).length >= derived.length);
    expect((await derivedStored()).map((d) => d.id)).toEqual(derived.map((d) => d.id));
    expect(await derivedStored()).toEqual(derived);
    // what it writes back is the current version
    const saved = await store.load();
    expect(saved.sessions.every((s) => (JSON.parse(s) as { version?: number }).version === 2)).toBe(true);
  } finally {
    await analyzer.stop('done');
  }
});
