/**
 * The analyzer service against a real nats-server: events batches on CCTAP_EVENTS -> derived events on
 * CCTAP_DERIVED, state in NATS KV. Redelivery (same events in a new message, or the whole stream delivered
 * again to a restarted analyzer) emits nothing new.
 *
 * Not covered here: derived events reaching ClickHouse through the sink (the end-to-end integration test).
 */
import { batchMsgId, SCHEMA_VERSION, topology, type Batch, type CctapEvent, type DerivedEvent } from '@cctap/events';
import { connectNats, createJetStreamBus, createLogger, provision, type JetStreamBus } from '@cctap/kit';
import { createAnalyzer, type AnalyzerService } from '@cctap/analyzer';
import { KvStateStore } from '@cctap/analyzer/internal';
import { ManualClock } from '@cctap/kit/internal';
import { Kvm } from '@nats-io/kv';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type TestNats } from '../support/nats.js';
import { realFixtureFiles } from '../support/paths.js';
import { fixtureEvents } from './support/fixture-events.js';

const prefix = 'an1';
const t = topology(prefix);
const enc = new TextEncoder();
const dec = new TextDecoder();

let nats: TestNats;
let nc: NatsConnection;
let bus: JetStreamBus;
let current: AnalyzerService | null = null;

const file = realFixtureFiles().find((f) => f.endsWith('spotter-v2.1.38-tool-heavy-interrupt.jsonl'))!;
const events = fixtureEvents(file);
const lastTs = Math.max(...events.map((e) => Date.parse(e.ts)));
const sessionIds = [...new Set(events.map((e) => e.sessionId))];

function batchesOf(evs: CctapEvent[], size: number, salt: string): { data: Uint8Array; msgId: string }[] {
  const out = [];
  // Like the collector: whole lines only (events of one line share its offset).
  for (let i = 0; i < evs.length;) {
    let j = Math.min(evs.length, i + size);
    while (j < evs.length && evs[j]!.source.offset === evs[j - 1]!.source.offset) j += 1;
    const part = evs.slice(i, j);
    const batch: Batch = {
      v: SCHEMA_VERSION,
      host: 'host-a',
      source: { path: file, fileId: 'f1', from: i, to: i + part.length },
      events: part,
    };
    out.push({ data: enc.encode(JSON.stringify(batch)), msgId: batchMsgId('host-a', `f1${salt}`, i, i + part.length) });
    i = j;
  }
  return out;
}

async function publishEvents(evs: CctapEvent[], salt: string): Promise<void> {
  for (const b of batchesOf(evs, 10, salt)) await bus.publish(t.subjects.events('host-a'), b.data, { msgId: b.msgId });
}

async function derivedStored(): Promise<DerivedEvent[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(t.stream('derived'));
  const out: DerivedEvent[] = [];
  let from = 1;
  while (from <= info.state.last_seq) {
    const msgs = await bus.read('derived', { fromSeq: from, max: 500 });
    if (msgs.length === 0) break;
    for (const m of msgs) out.push(JSON.parse(dec.decode(m.data)) as DerivedEvent);
    from = msgs.at(-1)!.seq + 1;
  }
  return out;
}

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(current?.health())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startAnalyzer(clock: ManualClock): Promise<AnalyzerService> {
  const kv = await new Kvm(nc).open(t.bucket('analyzer'));
  const a = createAnalyzer({
    bus,
    clock,
    logger: process.env.CCTAP_TEST_LOG ? createLogger({ service: 'analyzer', level: 'debug' }) : undefined,
    topology: t,
    store: new KvStateStore(kv),
    config: { settleMs: 0 },
    autoTick: false,
    batchSize: 20,
  });
  await a.start();
  current = a;
  return a;
}

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'analyzer-test' });
  await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024, ackWaitMs: 5000 });
  bus = createJetStreamBus(nc, { topology: t });
});

afterAll(async () => {
  await bus?.close();
  await nc?.close();
  await nats?.dispose();
});

describe('analyzer service on JetStream', () => {
  it('publishes derived events to CCTAP_DERIVED, survives a restart, and emits nothing new on redelivery', async () => {
    const clock = new ManualClock(Date.parse(events[0]!.ts));
    let analyzer = await startAnalyzer(clock);
    const half = Math.floor(events.length / 2);
    clock.set(lastTs);
    await publishEvents(events.slice(0, half), 'a');
    const firstHalfSessions = new Set(events.slice(0, half).map((e) => e.sessionId)).size;
    await until(
      () => analyzer.engine.stats().sessions === firstHalfSessions && analyzer.health().details?.outbox === 0,
      'first half analyzed',
    );
    await until(async () => (await derivedStored()).some((d) => d.kind === 'session.start'), 'session.start stored');

    // restart in the middle of the session: state comes back from KV
    await analyzer.stop('test restart');
    analyzer = await startAnalyzer(clock);
    await publishEvents(events.slice(half), 'b');
    const calls = events.filter((e) => e.type === 'tool.call').length;
    await until(async () => {
      const seen = sessionIds.map((id) => analyzer.engine.totals('host-a', id)?.toolCalls ?? 0);
      return seen.reduce((a, b) => a + b, 0) === calls;
    }, 'second half analyzed');
    clock.set(lastTs + 2 * 3_600_000);
    await analyzer.tick();
    const stored = await derivedStored();
    const kinds = new Set(stored.map((d) => d.kind));
    for (const k of ['session.start', 'tool.span', 'session.end', 'session.summary'] as const)
      expect(kinds).toContain(k);
    expect(stored.filter((d) => d.kind === 'tool.span')).toHaveLength(calls);
    const ids = stored.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    const subjects = (await bus.read('derived', { max: 1 }))[0]!.subject;
    expect(subjects).toBe(t.subjects.derived('session.start', 'host-a'));

    // the same events again in new messages (a republish beyond the duplicate window): nothing new
    // (the recently-seen ids live in memory: this process saw the second half)
    const before = stored.length;
    await publishEvents(events.slice(half), 'again');
    await until(() => analyzer.engine.stats().duplicates >= events.length - half, 'duplicates seen');
    await analyzer.tick();
    expect((await derivedStored()).length).toBe(before);

    // the whole stream delivered again to a restarted analyzer (consumer recreated at the start)
    await analyzer.stop('test redelivery');
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(t.consumerStream('analyzer'), t.consumer('analyzer'));
    await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024, ackWaitMs: 5000 });
    analyzer = await startAnalyzer(clock);
    const pending = async () =>
      (await jsm.consumers.info(t.consumerStream('analyzer'), t.consumer('analyzer'))).num_pending +
      (await jsm.consumers.info(t.consumerStream('analyzer'), t.consumer('analyzer'))).num_ack_pending;
    await until(async () => (await pending()) === 0, 'stream redelivered and acked');
    await analyzer.tick();
    expect(analyzer.engine.stats().skippedBySeq + analyzer.engine.stats().duplicates).toBeGreaterThan(0);
    const after = await derivedStored();
    expect(after.length).toBe(before);
    await analyzer.stop('done');
  });
});
