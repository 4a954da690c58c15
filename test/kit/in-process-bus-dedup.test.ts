/**
 * The in-process bus's duplicate window under a busy stream: past 10,000 ids it forgets only expired ones,
 * oldest first, and an id published again after its window is a new message whose window starts anew; and it
 * keeps at most maxDuplicateIds ids, the oldest going first, however many the window holds.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { topology } from '@cctap/events';
import { createInProcessBus } from '@cctap/kit';

const enc = (s: string) => new TextEncoder().encode(s);

afterEach(() => {
  vi.useRealTimers();
});

describe('in-process bus duplicate window', () => {
  it('keeps every id of the window through a busy stream and forgets only expired ones', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-03-01T00:00:00Z'));
    const t = topology('dedup1');
    // No consumer of the derived stream: a publish resolves at once.
    const bus = createInProcessBus({ topology: t, consumers: [], duplicateWindowMs: 60_000 });
    const publish = (id: string) => bus.publish(t.subjects.derived('k', 'h'), enc(id), { msgId: id });
    for (let i = 0; i < 12_000; i += 1) await publish(`a${i}`);
    expect(await publish('a0')).toMatchObject({ duplicate: true });
    expect(await publish('a11999')).toMatchObject({ duplicate: true });

    vi.setSystemTime(Date.parse('2026-03-01T00:00:30Z'));
    expect(await publish('a0')).toMatchObject({ duplicate: true });
    vi.setSystemTime(Date.parse('2026-03-01T00:01:01Z'));
    // a0's window is over: published again, it is new, and its new window holds.
    expect(await publish('a0')).toMatchObject({ duplicate: false, seq: 12_001 });
    for (let i = 0; i < 200; i += 1) await publish(`b${i}`);
    expect(await publish('a0')).toMatchObject({ duplicate: true, seq: 12_001 });
    expect(await publish('b199')).toMatchObject({ duplicate: true });
    await bus.close();
  });

  it('keeps at most maxDuplicateIds ids inside the window, the oldest going first', async () => {
    const t = topology('dedup2');
    const bus = createInProcessBus({ topology: t, consumers: [], maxDuplicateIds: 1_000 });
    const publish = (id: string) => bus.publish(t.subjects.derived('k', 'h'), enc(id), { msgId: id });
    for (let i = 0; i < 1_000; i += 1) await publish(`c${i}`);
    expect(await publish('c0')).toMatchObject({ duplicate: true, seq: 1 }); // all 1,000 kept
    await publish('c1000'); // the 1,001st id: c0, the oldest, goes
    expect(await publish('c0')).toMatchObject({ duplicate: false, seq: 1_002 });
    expect(await publish('c1')).toMatchObject({ duplicate: false, seq: 1_003 }); // c0 came back: c1 went
    expect(await publish('c1000')).toMatchObject({ duplicate: true, seq: 1_001 });
    expect(await publish('c999')).toMatchObject({ duplicate: true, seq: 1_000 });
    await bus.close();
  });
});
