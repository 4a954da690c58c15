/**
 * One behaviour, two implementations: every test here runs against the JetStream bus (real nats-server)
 * and the in-process bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_HEADERS, RetryableError, type Bus, type BusMessage } from '@cctap/kit';
import { PermanentError, type StoredMessage } from '@cctap/kit/internal';
import type { ConsumerKey, StreamKey } from '@cctap/events';
import { startNats, type TestNats } from '../support/nats.js';
import { inProcessFactory, jetStreamFactory, MAX_DELIVER, type BusFactory } from './bus-harness.js';
import { waitFor } from '../support/wait-for.js';

let nats: TestNats;
beforeAll(async () => {
  nats = await startNats();
});
afterAll(async () => {
  await nats?.dispose();
});

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Consumes until `n` messages were acked by `handler` (which may throw to nak/term). */
function collect(bus: Bus, key: ConsumerKey, handler: (m: BusMessage) => Promise<void> = async () => {}) {
  const got: { subject: string; body: string; deliveryCount: number; seq: number }[] = [];
  const sub = bus.consume(key, async (m) => {
    await handler(m);
    got.push({ subject: m.subject, body: dec(m.data), deliveryCount: m.deliveryCount, seq: m.seq });
  });
  return { got, sub };
}

async function readAll(bus: Bus, stream: StreamKey): Promise<StoredMessage[]> {
  return bus.read(stream, { max: 1000 });
}

const variants: [string, () => BusFactory][] = [
  ['in-process', () => inProcessFactory()],
  ['jetstream', () => jetStreamFactory(() => nats)],
];

describe.each(variants)('bus contract: %s', (_name, factory) => {
  it('stores a msg id once within the duplicate window', async () => {
    const h = await factory()();
    try {
      const subject = h.t.subjects.events('host-a');
      const first = await h.bus.publish(subject, enc('one'), { msgId: 'm-1' });
      const again = await h.bus.publish(subject, enc('one, again'), { msgId: 'm-1' });
      const other = await h.bus.publish(subject, enc('two'), { msgId: 'm-2' });
      expect(first.duplicate).toBe(false);
      expect(again).toMatchObject({ duplicate: true, seq: first.seq });
      expect(other.seq).toBe(first.seq + 1);
      const { got, sub } = collect(h.bus, 'analyzer');
      // A last message stored after both: once the consumer has it, a stored duplicate would have come first.
      const last = await h.bus.publish(subject, enc('last'), { msgId: 'm-3' });
      expect(last.seq).toBe(first.seq + 2);
      await waitFor('the last message', () => got.some((g) => g.body === 'last'));
      await sub.stop();
      expect(got.map((g) => g.body)).toEqual(['one', 'two', 'last']);
    } finally {
      await h.close();
    }
  });

  it('gives every durable consumer its own position', async () => {
    const h = await factory()();
    try {
      const a = collect(h.bus, 'analyzer');
      const subject = h.t.subjects.events('host-a');
      for (let i = 0; i < 5; i++) await h.bus.publish(subject, enc(`e${i}`), { msgId: `pos-${i}` });
      await waitFor('analyzer got 5', () => (a.got.length === 5 ? true : undefined));
      // A second consumer of the same stream, started later, still reads everything from the start.
      const s = collect(h.bus, 'sink-events');
      await waitFor('sink got 5', () => (s.got.length === 5 ? true : undefined));
      await a.sub.stop();
      await s.sub.stop();
      expect(s.got.map((g) => g.body)).toEqual(a.got.map((g) => g.body));
    } finally {
      await h.close();
    }
  });

  it('redelivers a message that was naked, and keeps order per subject', async () => {
    const h = await factory()();
    try {
      const subject = h.t.subjects.raw('host-b');
      let failedOnce = false;
      const { got, sub } = collect(h.bus, 'validator', async (m) => {
        if (dec(m.data) === 'r3' && !failedOnce) {
          failedOnce = true;
          throw new RetryableError('not yet', { delayMs: 50 });
        }
      });
      const pubs = Array.from({ length: 8 }, (_, i) => h.bus.publish(subject, enc(`r${i}`), { msgId: `r-${i}` }));
      await Promise.all(pubs);
      await waitFor('8 acked', () => (got.length === 8 ? true : undefined));
      await sub.stop();
      const r3 = got.find((g) => g.body === 'r3')!;
      expect(r3.deliveryCount).toBe(2);
      const firstTime = got.filter((g) => g.deliveryCount === 1).map((g) => g.body);
      expect(firstTime).toEqual(['r0', 'r1', 'r2', 'r4', 'r5', 'r6', 'r7']);
    } finally {
      await h.close();
    }
  });

  it('dead-letters a message after max deliveries, and a terminated one, with origin and reason', async () => {
    const h = await factory()();
    try {
      const subject = h.t.subjects.raw('host-c');
      let poisonDeliveries = 0;
      const { got, sub } = collect(h.bus, 'validator', async (m) => {
        const body = dec(m.data);
        if (body === 'poison') {
          poisonDeliveries += 1;
          throw new RetryableError('still bad', { delayMs: 20 });
        }
        if (body === 'hopeless') throw new PermanentError('cannot parse');
      });
      await Promise.all([
        h.bus.publish(subject, enc('poison'), { msgId: 'p-1' }),
        h.bus.publish(subject, enc('hopeless'), { msgId: 'p-2' }),
        h.bus.publish(subject, enc('fine'), { msgId: 'p-3' }),
      ]);
      const dead = await waitFor('two dead letters', async () => {
        const d = await readAll(h.bus, 'dlq');
        return d.length >= 2 ? d : undefined;
      });
      await sub.stop();
      expect(got.map((g) => g.body)).toEqual(['fine']);
      expect(poisonDeliveries).toBe(MAX_DELIVER);
      const byBody = new Map(dead.map((d) => [dec(d.data), d]));
      const poison = byBody.get('poison')!;
      expect(poison.subject).toBe(h.t.subjects.dlq('validator'));
      expect(poison.headers[DLQ_HEADERS.subject]).toBe(subject);
      expect(poison.headers[DLQ_HEADERS.stream]).toBe(h.t.stream('raw'));
      expect(poison.headers[DLQ_HEADERS.deliveries]).toBe(String(MAX_DELIVER));
      expect(poison.headers[DLQ_HEADERS.reason]).toMatch(/max deliveries/);
      expect(byBody.get('hopeless')!.headers[DLQ_HEADERS.reason]).toMatch(/terminated/);
      expect(dead).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  it('hands batch handlers several messages at once and settles them together', async () => {
    const h = await factory()();
    try {
      const subject = h.t.subjects.events('host-d');
      for (let i = 0; i < 30; i++) await h.bus.publish(subject, enc(`b${i}`), { msgId: `b-${i}` });
      const sizes: number[] = [];
      const bodies: string[] = [];
      const sub = h.bus.consumeBatch(
        'sink-events',
        async (msgs) => {
          sizes.push(msgs.length);
          bodies.push(...msgs.map((m) => dec(m.data)));
        },
        { batchSize: 10 },
      );
      await waitFor('30 consumed', () => (bodies.length === 30 ? true : undefined));
      await sub.stop();
      expect(Math.max(...sizes)).toBeGreaterThan(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
      expect(bodies).toEqual(Array.from({ length: 30 }, (_, i) => `b${i}`));
    } finally {
      await h.close();
    }
  });
});
