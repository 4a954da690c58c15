/** Behaviour specific to the in-process bus (the shared contract is in bus-contract.test.ts). */
import { describe, expect, it } from 'vitest';
import { topology } from '@cctap/events';
import { createInProcessBus } from '@cctap/kit';

const enc = (s: string) => new TextEncoder().encode(s);

describe('in-process bus', () => {
  it('resolves publish only once every subscribed consumer of the stream acked', async () => {
    const t = topology('ip1');
    const bus = createInProcessBus({ topology: t, consumers: ['analyzer', 'sink-events'] });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const acked: string[] = [];
    bus.consume('analyzer', async () => {
      acked.push('analyzer');
    });
    bus.consume('sink-events', async () => {
      await gate;
      acked.push('sink');
    });
    let resolved = false;
    const p = bus.publish(t.subjects.events('h'), enc('x'), { msgId: 'x' }).then((a) => {
      resolved = true;
      return a;
    });
    await new Promise((r) => setTimeout(r, 50));
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
});
