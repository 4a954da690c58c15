/**
 * The dead-letter forwarder on a real nats-server, in the cases the bus contract does not reach: two
 * forwarders on the one durable consumer (two validator replicas) keep each dead letter once and count it
 * once between them; the original's own headers go with it; an original already gone when the advisory is
 * read is still recorded (max deliveries, empty payload, the reason says so), and a terminated one that is
 * gone adds nothing to the copy its consumer kept before the term. A given-up message of CCTAP_RAW (interest
 * retention, one consumer) is deleted once its dead letter is stored; one of a limits stream stays.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topology } from '@cctap/events';
import {
  connectNats,
  createJetStreamBus,
  createMetrics,
  DLQ_HEADERS,
  provision,
  RetryableError,
  startDeadLetterForwarder,
  type Metrics,
} from '@cctap/kit';
import { PermanentError } from '@cctap/kit/internal';
import { startNats, type TestNats } from '../support/nats.js';
import { waitFor } from '../support/wait-for.js';

const MAX_DELIVER = 2;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** The sum of cctap_dead_letters_total over its series, in one process's registry. */
async function deadLetters(m: Metrics): Promise<number> {
  const metric = await m.registry.getSingleMetric('cctap_dead_letters_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

describe('dead-letter forwarder', () => {
  let nats: TestNats;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connectNats({ servers: nats.url, name: 'forwarder-test', waitOnFirstConnect: false });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.dispose();
  });

  it('two replicas keep and count each dead letter once; a gone original is recorded or left to its copy', async () => {
    const prefix = `f${randomBytes(4).toString('hex')}`;
    const t = topology(prefix);
    await provision(nc, { prefix, maxBytes: 16 * 1024 * 1024, maxDeliver: MAX_DELIVER, ackWaitMs: 2000 });
    const bus = createJetStreamBus(nc, { topology: t });
    const jsm = await jetstreamManager(nc);
    const subject = t.subjects.events('host-f');

    // A consumer gives up on `expired` (its original is then deleted before any forwarder runs) and on
    // `headed`, and terminates `gone` (deleted likewise: only the consumer's own copy remains) and `kept`.
    const sub = bus.consume('analyzer', async (m) => {
      const body = dec(m.data);
      if (body === 'expired' || body === 'headed') throw new RetryableError('not yet', { delayMs: 10 });
      throw new PermanentError(`cannot apply ${body}`);
    });
    const seqs: Record<string, number> = {};
    for (const body of ['expired', 'gone', 'kept'])
      seqs[body] = (await bus.publish(subject, enc(body), { msgId: `m-${body}` })).seq;
    seqs.headed = (
      await bus.publish(subject, enc('headed'), { msgId: 'm-headed', headers: { 'Cctap-Reason': 'x' } })
    ).seq;
    const advisories = t.stream('advisories');
    await waitFor('four advisories', async () => (await jsm.streams.info(advisories)).state.messages === 4, 15_000);
    await sub.stop();
    for (const body of ['expired', 'gone']) await jsm.streams.deleteMessage(t.stream('events'), seqs[body]!, false);

    const [ma, mb] = [createMetrics('validator-a'), createMetrics('validator-b')];
    const forwarders = [ma, mb].map((metrics) => startDeadLetterForwarder({ nc, bus, topology: t, metrics }));
    try {
      await waitFor(
        'every advisory acknowledged',
        async () => {
          const c = await jsm.consumers.info(advisories, t.consumer('dlq-forwarder'));
          return c.num_pending === 0 && c.num_ack_pending === 0 && c.ack_floor.stream_seq > 0;
        },
        15_000,
      );
      expect((await deadLetters(ma)) + (await deadLetters(mb))).toBe(4);
      const dlq = await bus.read('dlq', { max: 100 });
      const bySeq = new Map(dlq.map((d) => [Number(d.headers[DLQ_HEADERS.seq]), d]));
      // One dead letter per message: gone and kept by the consumer before its term (the forwarder's copy of
      // kept was dropped as a duplicate), expired and headed by the forwarder alone.
      expect(dlq).toHaveLength(4);
      expect(bySeq.size).toBe(4);
      const expired = bySeq.get(seqs.expired!)!;
      expect(dec(expired.data)).toBe('');
      expect(expired.headers[DLQ_HEADERS.reason]).toBe(
        `max deliveries (${MAX_DELIVER}) reached; original no longer in the stream`,
      );
      expect(expired.headers[DLQ_HEADERS.subject]).toBe('');
      expect(dec(bySeq.get(seqs.gone!)!.data)).toBe('gone');
      expect(bySeq.get(seqs.gone!)!.headers[DLQ_HEADERS.reason]).toBe('terminated: cannot apply gone');
      expect(dec(bySeq.get(seqs.kept!)!.data)).toBe('kept');
      const headed = bySeq.get(seqs.headed!)!;
      expect(dec(headed.data)).toBe('headed');
      expect(headed.headers).toMatchObject({
        'Cctap-Reason': 'x',
        [DLQ_HEADERS.subject]: subject,
        [DLQ_HEADERS.consumer]: 'analyzer',
      });
      // A limits stream keeps what its consumer gave up on.
      expect(dec((await jsm.streams.getMessage(t.stream('events'), { seq: seqs.headed! }))!.data)).toBe('headed');
      // Every consumer x kind series is there from the start, at 0 where nothing happened.
      const series = (await ma.registry.getSingleMetric('cctap_dead_letters_total')!.get()).values;
      expect(series.filter((v) => v.labels.consumer === 'sink-events')).toHaveLength(2);
    } finally {
      await Promise.all(forwarders.map((f) => f.stop()));
      await bus.close();
    }
  }, 40_000);

  it('deletes a given-up raw message once its dead letter is stored: nothing else would ever remove it', async () => {
    const prefix = `r${randomBytes(4).toString('hex')}`;
    const t = topology(prefix);
    await provision(nc, { prefix, maxBytes: 16 * 1024 * 1024, maxDeliver: MAX_DELIVER, ackWaitMs: 1000 });
    const bus = createJetStreamBus(nc, { topology: t });
    const jsm = await jetstreamManager(nc);
    const raw = t.stream('raw');
    const sub = bus.consume('validator', async () => {
      throw new RetryableError('not yet', { delayMs: 10 });
    });
    const seq = (await bus.publish(t.subjects.raw('h'), enc('given-up'), { msgId: 'g' })).seq;
    await waitFor(
      'the advisory',
      async () => (await jsm.streams.info(t.stream('advisories'))).state.messages === 1,
      15_000,
    );
    await sub.stop();
    // Given up, and still stored: interest retention removes a message only when it is acked.
    expect((await jsm.streams.getMessage(raw, { seq }))?.seq).toBe(seq);
    const forwarder = startDeadLetterForwarder({ nc, bus, topology: t });
    try {
      await waitFor('the raw message deleted', async () => (await jsm.streams.info(raw)).state.messages === 0, 15_000);
      const dlq = await bus.read('dlq', { max: 10 });
      expect(dlq.map((d) => dec(d.data))).toEqual(['given-up']);
      expect(dlq[0]!.headers[DLQ_HEADERS.reason]).toBe(`max deliveries (${MAX_DELIVER}) reached`);
    } finally {
      await forwarder.stop();
      await bus.close();
    }
  }, 40_000);
});
