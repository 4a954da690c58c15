/** Behaviour specific to the in-process bus (the shared contract is in bus-contract.test.ts). */
import { describe, expect, it } from 'vitest';
import { topology } from '@cctap/events';
import { createInProcessBus, type InProcessDeadLetter } from '@cctap/kit';
import { PermanentError } from '@cctap/kit/internal';

const enc = (s: string) => new TextEncoder().encode(s);

describe('in-process bus', () => {
  it('resolves publish only once every subscribed consumer of the stream acked', async () => {
    const t = topology('ip1');
    const bus = createInProcessBus({ topology: t, consumers: ['analyzer', 'sink-events'] });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const acked: string[] = [];
    let analyzerAcked!: () => void;
    const analyzerDone = new Promise<void>((r) => (analyzerAcked = r));
    let sinkHolding!: () => void;
    const sinkEntered = new Promise<void>((r) => (sinkHolding = r));
    bus.consume('analyzer', async () => {
      acked.push('analyzer');
      analyzerAcked();
    });
    bus.consume('sink-events', async () => {
      sinkHolding();
      await gate;
      acked.push('sink');
    });
    let resolved = false;
    const p = bus.publish(t.subjects.events('h'), enc('x'), { msgId: 'x' }).then((a) => {
      resolved = true;
      return a;
    });
    // Both consumers have the message and the analyzer's ack is settled (the bus settles acks in microtasks,
    // all run before the next macrotask): a publish resolved by that ack alone would be resolved by now.
    await Promise.all([analyzerDone, sinkEntered]);
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual(['analyzer']);
    expect(resolved).toBe(false);
    release();
    expect(await p).toMatchObject({ duplicate: false, seq: 1 });
    expect(acked).toEqual(['analyzer', 'sink']);
    await bus.close();
  });

  it('does not deadlock when handlers publish in a cycle', async () => {
    const t = topology('ip2');
    const bus = createInProcessBus({ topology: t, consumers: ['validator', 'analyzer'] });
    const seen: string[] = [];
    // validator: raw -> events; analyzer: events -> raw (once), each awaiting the other's ack.
    bus.consume('validator', async (m) => {
      const body = new TextDecoder().decode(m.data);
      seen.push(`validator ${body}`);
      await bus.publish(t.subjects.events('h'), enc(`${body}+v`), { msgId: `v-${body}` });
    });
    bus.consume('analyzer', async (m) => {
      const body = new TextDecoder().decode(m.data);
      seen.push(`analyzer ${body}`);
      if (body.split('+').length < 3) await bus.publish(t.subjects.raw('h'), enc(`${body}+a`), { msgId: `a-${body}` });
    });
    await bus.publish(t.subjects.raw('h'), enc('m'), { msgId: 'm' });
    for (let i = 0; i < 100 && seen.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(['validator m', 'analyzer m+v', 'validator m+v+a', 'analyzer m+v+a+v']);
    await bus.close();
  });

  // In process a terminated message counts as done for its publisher, whose checkpoint then moves past it:
  // the dead letter must be kept somewhere first, or the message must come back.
  it('hands each dead letter to onDeadLetter before the publisher is released, and redelivers when it cannot be kept', async () => {
    const t = topology('ip-dl');
    const kept: InProcessDeadLetter[] = [];
    let failKeeps = 1;
    const bus = createInProcessBus({
      topology: t,
      consumers: ['sink-events'],
      deadLetterRetryMs: 20,
      onDeadLetter: (d) => {
        if (failKeeps-- > 0) throw new Error('disk full');
        kept.push(d);
      },
    });
    let deliveries = 0;
    bus.consume('sink-events', async () => {
      deliveries += 1;
      throw new PermanentError('rows rejected');
    });
    await bus.publish(t.subjects.events('h'), enc('poison'), { msgId: 'p1' });
    expect(deliveries).toBe(2); // the first dead letter could not be kept: delivered again
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ consumer: 'sink-events', kind: 'terminated', seq: 1 });
    expect(new TextDecoder().decode(kept[0]!.data)).toBe('poison');
    expect(kept[0]!.reason).toContain('rows rejected');
    await bus.close();
  });
});
