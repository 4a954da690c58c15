/**
 * consumeBatch with `prefetch` on a real nats-server: the next pull runs while the handler works on the current
 * batch (and without prefetch it does not), every message is still handled once and in stream order, a
 * prefetched batch kept waiting past ack_wait is kept alive rather than redelivered, a full one left unhandled
 * when the consumer stops goes back at once instead of after ack_wait, and stop() ends a prefetch that is
 * still waiting for messages instead of waiting out its expiry.
 *
 * Whether a pull happened is read from the durable consumer on the server: messages delivered but not acked
 * (num_ack_pending) beyond the batch the blocked handler holds can only be a second pull's.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topology, type Topology } from '@cctap/events';
import {
  connectNats,
  createJetStreamBus,
  provision,
  type BusMessage,
  type ConsumeOptions,
  type JetStreamBus,
  type Subscription,
} from '@cctap/kit';
import { startNats, type TestNats } from '../support/nats.js';
import { waitFor } from '../support/wait-for.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'pull-loop-prefetch-test', waitOnFirstConnect: false });
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

interface Setup {
  t: Topology;
  bus: JetStreamBus;
  /** The raw stream and the validator's durable on it, the consumer these tests run. */
  stream: string;
  durable: string;
}

/** A fresh topology whose consumers have `ackWaitMs`, with `count` messages m0.. on the raw stream. */
async function setup(ackWaitMs: number, count: number): Promise<Setup> {
  const prefix = `pf${randomBytes(4).toString('hex')}`;
  const t = topology(prefix);
  await provision(nc, { prefix, maxBytes: 16 * 1024 * 1024, ackWaitMs });
  const bus = createJetStreamBus(nc, { topology: t });
  // Published in order on one connection, so m<i> is stream sequence i + 1.
  for (let i = 0; i < count; i += 100) {
    const chunk = [];
    for (let j = i; j < Math.min(count, i + 100); j++)
      chunk.push(bus.publish(t.subjects.raw('h'), enc(`m${j}`), { msgId: `m${j}` }));
    await Promise.all(chunk);
  }
  const stream = t.stream('raw');
  const durable = t.consumer('validator');
  const info = await jsm.consumers.info(stream, durable);
  expect(info.config.ack_wait).toBe(ackWaitMs * 1_000_000);
  expect(info.num_pending).toBe(count);
  return { t, bus, stream, durable };
}

/** A promise the test resolves: a handler waits on it to stay busy as long as the test needs. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/**
 * A batch handler that records every message and, on its first call, waits for `first` to open; `entered`
 * resolves once that first call is blocked.
 */
function blockingFirst(first: Promise<void>) {
  const handled: BusMessage[] = [];
  const batches: number[] = [];
  const inside = gate();
  const handler = async (msgs: readonly BusMessage[]) => {
    batches.push(msgs.length);
    handled.push(...msgs);
    if (batches.length === 1) {
      inside.open();
      await first;
    }
  };
  return { handled, batches, handler, entered: inside.wait };
}

async function info(s: Setup, durable = s.durable) {
  return jsm.consumers.info(s.stream, durable);
}

/** Waits until the consumer has nothing left: every message delivered and acked. */
async function drained(s: Setup, durable = s.durable): Promise<void> {
  await waitFor(`${durable} drained`, async () => {
    const i = await info(s, durable);
    return i.num_pending === 0 && i.num_ack_pending === 0;
  });
}

const seqs = (msgs: readonly BusMessage[]) => msgs.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('pull loop, batch mode with prefetch', () => {
  it('pulls the next batch while the handler works, and handles every message once, in stream order', async () => {
    const N = 500;
    const BATCH = 50;
    const s = await setup(30_000, N);
    const release = gate();
    const h = blockingFirst(release.wait);
    const sub = s.bus.consumeBatch('validator', h.handler, { batchSize: BATCH, prefetch: true });
    try {
      await h.entered;
      // While the first handler is blocked, a second batch is delivered: the next pull did not wait for it.
      await waitFor('the second batch pulled while the first is handled', async () => {
        const i = await info(s);
        return i.num_ack_pending === 2 * BATCH;
      });
      expect(h.batches).toEqual([BATCH]);
      release.open();
      await waitFor('every message handled', () => h.handled.length >= N);
      await drained(s);
    } finally {
      release.open();
      await sub.stop();
    }
    expect(h.handled).toHaveLength(N);
    expect(seqs(h.handled)).toEqual(range(1, N));
    expect(h.handled.map((m) => dec(m.data))).toEqual(range(0, N - 1).map((i) => `m${i}`));
    expect(h.handled.every((m) => m.deliveryCount === 1)).toBe(true);
    expect(h.batches.every((n) => n <= BATCH)).toBe(true);
    const end = await info(s);
    expect(end.num_ack_pending).toBe(0);
    expect(end.num_pending).toBe(0);
    expect(end.num_redelivered).toBe(0);
    await s.bus.close();
  });

  it('handles a prefetched batch it stops with (as any batch received before the stop), and leaves nothing', async () => {
    const ACK_WAIT_MS = 30_000;
    const BATCH = 10;
    const s = await setup(ACK_WAIT_MS, 2 * BATCH);
    const release = gate();
    const h = blockingFirst(release.wait);
    const sub = s.bus.consumeBatch('validator', h.handler, { batchSize: BATCH, prefetch: true });
    let stopped: Promise<void> | null = null;
    try {
      await h.entered;
      await waitFor('the second batch prefetched', async () => (await info(s)).num_ack_pending === 2 * BATCH);
      // The prefetch's fetch ends by itself once it has its BATCH messages; a turn of the event loop lets it
      // take in what the server already sent before the stop below.
      await nc.flush();
      await new Promise((r) => setImmediate(r));
      stopped = sub.stop();
      release.open();
      await stopped;
    } finally {
      release.open();
      await (stopped ?? sub.stop());
    }
    expect(h.batches).toEqual([BATCH, BATCH]);
    expect(seqs(h.handled)).toEqual(range(1, 2 * BATCH));
    expect(h.handled.every((m) => m.deliveryCount === 1)).toBe(true);
    await drained(s);
    await s.bus.close();
  });

  it('stops a prefetch still waiting for messages at once and handles what it had received', async () => {
    const EXPIRES_MS = 20_000;
    const BATCH = 10;
    const LEFT = 5;
    const s = await setup(30_000, BATCH + LEFT);
    const release = gate();
    const h = blockingFirst(release.wait);
    // A long pull: the prefetch holds its LEFT messages while it waits for a full batch.
    const sub = s.bus.consumeBatch('validator', h.handler, { batchSize: BATCH, expiresMs: EXPIRES_MS, prefetch: true });
    let stopped: Promise<void> | null = null;
    let stopTook: number;
    try {
      await h.entered;
      await waitFor('the rest prefetched', async () => (await info(s)).num_ack_pending === BATCH + LEFT);
      const t0 = Date.now();
      stopped = sub.stop();
      release.open();
      await stopped;
      stopTook = Date.now() - t0;
    } finally {
      release.open();
      await (stopped ?? sub.stop());
    }
    // stop() ends the waiting prefetch instead of waiting out its expiry; nothing is left for ack_wait.
    expect(stopTook).toBeLessThan(EXPIRES_MS / 4);
    expect(h.batches).toEqual([BATCH, LEFT]);
    expect(seqs(h.handled)).toEqual(range(1, BATCH + LEFT));
    await drained(s);
    await s.bus.close();
  });

  it('keeps a prefetched batch alive past ack_wait while the handler is busy: no redelivery', async () => {
    const ACK_WAIT_MS = 2000;
    const BATCH = 10;
    const s = await setup(ACK_WAIT_MS, 2 * BATCH);
    const release = gate();
    const h = blockingFirst(release.wait);
    // ackProgressMs is a pull-loop option the JetStream bus passes through with the rest of the options.
    const opts: ConsumeOptions & { ackProgressMs: number } = { batchSize: BATCH, prefetch: true, ackProgressMs: 500 };
    const sub = s.bus.consumeBatch('validator', h.handler, opts);
    try {
      await h.entered;
      await waitFor('the second batch prefetched', async () => (await info(s)).num_ack_pending === 2 * BATCH);
      // The prefetched batch waits for the handler well past ack_wait; without progress acks the server would
      // hand it out again to the next pull, which starts before the handler gets to that batch.
      const since = Date.now();
      await waitFor('two ack waits passed', () => Date.now() - since > 2 * ACK_WAIT_MS, 4 * ACK_WAIT_MS);
      expect(h.batches).toEqual([BATCH]);
      release.open();
      await waitFor('every message handled', () => h.handled.length >= 2 * BATCH);
      await drained(s);
    } finally {
      release.open();
      await sub.stop();
    }
    expect(seqs(h.handled)).toEqual(range(1, 2 * BATCH));
    expect(h.handled.every((m) => m.deliveryCount === 1)).toBe(true);
    expect((await info(s)).num_redelivered).toBe(0);
    await s.bus.close();
  });
});

describe('pull loop, batch mode without prefetch', () => {
  it('does not pull again while the handler works', async () => {
    const BATCH = 10;
    const s = await setup(30_000, 2 * BATCH);
    // Two durables on the same stream and connection: `plain` (the default) and `ahead` (prefetch), whose
    // second pull is the signal that a pull had every chance to happen.
    const filter = s.t.subjects.raw('h');
    const plain = `${s.durable}-plain`;
    const ahead = `${s.durable}-ahead`;
    await s.bus.resetPartitionConsumer('validator', plain, filter);
    await s.bus.resetPartitionConsumer('validator', ahead, filter);
    const release = gate();
    const p = blockingFirst(release.wait);
    const a = blockingFirst(release.wait);
    const subs: Subscription[] = [];
    try {
      subs.push(s.bus.consumeBatchFrom('validator', plain, p.handler, { batchSize: BATCH }));
      await p.entered;
      // Started only once `plain` is blocked: its prefetch comes after any pull `plain` could have made.
      subs.push(s.bus.consumeBatchFrom('validator', ahead, a.handler, { batchSize: BATCH, prefetch: true }));
      await a.entered;
      await waitFor(
        'the prefetching consumer pulled again',
        async () => (await info(s, ahead)).num_ack_pending === 2 * BATCH,
      );
      const i = await info(s, plain);
      expect(i.num_ack_pending).toBe(BATCH);
      expect(i.num_pending).toBe(BATCH);
      expect(p.batches).toEqual([BATCH]);
      release.open();
      await waitFor('every message handled', () => p.handled.length >= 2 * BATCH);
      await drained(s, plain);
    } finally {
      release.open();
      await Promise.all(subs.map((x) => x.stop()));
    }
    expect(seqs(p.handled)).toEqual(range(1, 2 * BATCH));
    expect(p.handled.every((m) => m.deliveryCount === 1)).toBe(true);
    await s.bus.close();
  });
});
