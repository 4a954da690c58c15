import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
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
        (Object.keys(CONSUMERS) as ConsumerKey[]).map(
          async (k) => (await jsm.consumers.info(t.consumerStream(k), t.consumer(k))).config,
        ),
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
});
