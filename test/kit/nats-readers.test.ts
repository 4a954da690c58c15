/**
 * The two NATS read helpers of the kit against a real nats-server: every live entry of a KV bucket (kvReadAll),
 * and what a durable consumer has left (consumerLag).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, kvReadAll } from '@cctap/kit';
import { consumerLag } from '@cctap/kit/internal';
import { startNats, type TestNats } from '../support/nats.js';

let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;
const enc = new TextEncoder();
const dec = new TextDecoder();
const name = (p: string) => `${p}${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'nats-readers-test', waitOnFirstConnect: false });
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

describe('kvReadAll', () => {
  it('reads the current value of every key, without deleted, purged or empty entries', async () => {
    const kv = await new Kvm(nc).create(name('readall'), { history: 5 });
    expect(await kvReadAll(kv)).toEqual([]);
    // More keys than one round of parallel gets.
    for (let i = 0; i < 150; i++) await kv.put(`k${i}`, enc.encode(`v${i}`));
    await kv.put('k0', enc.encode('v0 updated'));
    await kv.delete('k1');
    await kv.purge('k2');
    await kv.put('k3', new Uint8Array(0));
    const all = new Map((await kvReadAll(kv)).map((e) => [e.key, dec.decode(e.value)]));
    expect(all.size).toBe(147);
    expect(all.get('k0')).toBe('v0 updated');
    expect(all.has('k1') || all.has('k2') || all.has('k3')).toBe(false);
    expect(all.get('k149')).toBe('v149');
  });
});

describe('consumerLag', () => {
  it('counts messages not yet delivered and delivered but not acked', async () => {
    const stream = name('LAG');
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await jsm.consumers.add(stream, { durable_name: 'c', ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    for (let i = 0; i < 5; i++) await js.publish(`${stream}.x`, enc.encode(String(i)));
    expect(await consumerLag(jsm, stream, 'c')).toEqual({ pending: 5, ackPending: 0 });

    const c = await js.consumers.get(stream, 'c');
    const batch = await c.fetch({ max_messages: 3, expires: 2000 });
    const got = [];
    for await (const m of batch) got.push(m);
    expect(got).toHaveLength(3);
    expect(await consumerLag(jsm, stream, 'c')).toEqual({ pending: 2, ackPending: 3 });
    for (const m of got) await m.ackAck();
    expect(await consumerLag(jsm, stream, 'c')).toEqual({ pending: 2, ackPending: 0 });
  });

  it('rejects for a consumer that is not there', async () => {
    const stream = name('LAGX');
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await expect(consumerLag(jsm, stream, 'missing')).rejects.toThrow();
  });
});
