import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CONSUMERS, STREAM_KEYS, topology, type ConsumerKey } from '@cctap/events';
import { connectNats, provision } from '@cctap/kit';
import { startNats, type TestNats } from '../support/nats.js';

let nats: TestNats;
let nc: NatsConnection;
const prefix = `t${randomBytes(4).toString('hex')}`;
const t = topology(prefix);

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'provision-test', waitOnFirstConnect: false });
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

describe('provision', () => {
  it('creates everything once, then a second run changes nothing', async () => {
    const first = await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024 });
    expect(first.entries.filter((e) => e.action !== 'created')).toEqual([]);
    expect(first.entries.filter((e) => e.kind === 'stream')).toHaveLength(STREAM_KEYS.length);
    expect(first.entries.filter((e) => e.kind === 'consumer')).toHaveLength(Object.keys(CONSUMERS).length);

    const jsm = await jetstreamManager(nc);
    const snapshot = async () => ({
      streams: await Promise.all(STREAM_KEYS.map(async (k) => (await jsm.streams.info(t.stream(k))).config)),
      consumers: await Promise.all(
        (Object.keys(CONSUMERS) as ConsumerKey[]).map(async (k) => (await jsm.consumers.info(t.consumerStream(k), t.consumer(k))).config),
      ),
    });
    const before = await snapshot();

    const second = await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024 });
    expect(second.entries.filter((e) => e.action !== 'unchanged')).toEqual([]);
    expect(second.entries).toHaveLength(first.entries.length);
    expect(await snapshot()).toEqual(before);
  });

  it('sets explicit limits: DiscardNew on raw, a 20 minute duplicate window, bounded redelivery', async () => {
    const jsm = await jetstreamManager(nc);
    const raw = await jsm.streams.info(t.stream('raw'));
    expect(raw.config.discard).toBe('new');
    expect(raw.config.duplicate_window).toBe(20 * 60 * 1e9);
    const events = await jsm.streams.info(t.stream('events'));
    expect(events.config.discard).toBe('old');
    const adv = await jsm.streams.info(t.stream('advisories'));
    expect(adv.config.subjects).toContain(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${t.stream('raw')}.*`);
    const validator = await jsm.consumers.info(t.stream('raw'), t.consumer('validator'));
    expect(validator.config.max_deliver).toBe(10);
    expect(validator.config.max_ack_pending).toBeGreaterThanOrEqual(20_000);
    expect(validator.config.ack_policy).toBe('explicit');
  });

  it('updates only what drifted', async () => {
    const report = await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024, maxDeliver: 4, ackWaitMs: 5000 });
    const consumers = report.entries.filter((e) => e.kind === 'consumer');
    expect(consumers.every((e) => e.action === 'updated')).toBe(true);
    expect(report.entries.filter((e) => e.kind === 'stream').every((e) => e.action === 'unchanged')).toBe(true);
    const jsm = await jetstreamManager(nc);
    const c = await jsm.consumers.info(t.stream('raw'), t.consumer('validator'));
    expect(c.config.max_deliver).toBe(4);
    expect(c.config.ack_wait).toBe(5000 * 1e6);
    const again = await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024, maxDeliver: 4, ackWaitMs: 5000 });
    expect(again.entries.filter((e) => e.action !== 'unchanged')).toEqual([]);
  });

  // Limits retention never freed what the validator had consumed: after max_bytes of traffic every collector
  // stopped. Work-queue retention bounds the backlog, not the history.
  it('lets consumed raw batches go: more than max_bytes flows through a consuming validator', async () => {
    const p = `t${randomBytes(4).toString('hex')}`;
    const tt = topology(p);
    await provision(nc, { prefix: p, limits: { raw: { maxBytes: 64 * 1024 } }, maxBytes: 64 * 1024 * 1024 });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(tt.stream('raw'))).config.retention).toBe('interest');
    const js = jetstream(nc);
    const consumer = await js.consumers.get(tt.stream('raw'), tt.consumer('validator'));
    const payload = new Uint8Array(4096);
    let acked = 0;
    for (let i = 0; i < 64; i++) {
      // 256 KiB in all through a 64 KiB stream: a publish succeeds only if what was consumed was freed.
      await js.publish(tt.subjects.raw('h'), payload, { msgID: `flow-${i}` });
      for await (const m of await consumer.fetch({ max_messages: 10, expires: 1000 })) {
        m.ack();
        acked += 1;
        if (acked === i + 1) break;
      }
    }
    expect(acked).toBe(64);
  });

  it('moves a raw stream made with limits retention to interest retention, keeping what was not consumed', async () => {
    const p = `t${randomBytes(4).toString('hex')}`;
    const tt = topology(p);
    await provision(nc, { prefix: p, maxBytes: 64 * 1024 * 1024 });
    const jsm = await jetstreamManager(nc);
    // The stream as older versions provisioned it.
    const current = (await jsm.streams.info(tt.stream('raw'))).config;
    await jsm.streams.delete(tt.stream('raw'));
    await jsm.streams.add({ ...current, retention: RetentionPolicy.Limits });
    await jsm.consumers.add(tt.stream('raw'), { durable_name: tt.consumer('validator'), ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    for (let i = 0; i < 10; i++) await js.publish(tt.subjects.raw('h'), new TextEncoder().encode(`batch-${i}`), { msgID: `old-${i}` });
    const consumer = await js.consumers.get(tt.stream('raw'), tt.consumer('validator'));
    let acked = 0;
    for await (const m of await consumer.fetch({ max_messages: 6, expires: 1000 })) {
      m.ack();
      if (++acked === 6) break;
    }
    await nc.flush();

    const report = await provision(nc, { prefix: p, maxBytes: 64 * 1024 * 1024 });
    expect(report.entries.find((e) => e.name === tt.stream('raw'))).toMatchObject({ action: 'migrated', copied: 4 });
    const info = await jsm.streams.info(tt.stream('raw'));
    expect(info.config.retention).toBe('interest');
    expect(info.config.sealed).toBe(false);
    const kept: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = (await jsm.streams.getMessage(tt.stream('raw'), { seq }))!;
      expect(m.subject).toBe(tt.subjects.raw('h'));
      kept.push(`${new TextDecoder().decode(m.data)} ${m.header?.get('Nats-Msg-Id')}`);
    }
    expect(kept).toEqual(['batch-6 old-6', 'batch-7 old-7', 'batch-8 old-8', 'batch-9 old-9']);
    // The validator's consumer is back, and a second run changes nothing.
    expect((await jsm.consumers.info(tt.stream('raw'), tt.consumer('validator'))).num_pending).toBe(4);
    const again = await provision(nc, { prefix: p, maxBytes: 64 * 1024 * 1024 });
    expect(again.entries.filter((e) => e.action !== 'unchanged')).toEqual([]);
  });
});
