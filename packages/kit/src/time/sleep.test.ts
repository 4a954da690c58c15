import { describe, expect, it } from 'vitest';
import { sleep } from './sleep.js';

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const t0 = performance.now();
    await sleep(30);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('ends at the abort, long before the delay', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const done = sleep(60_000, ac.signal);
    setTimeout(() => ac.abort(), 10);
    await done;
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('waits for ever without a timer until the abort', async () => {
    const ac = new AbortController();
    let done = false;
    const p = sleep(Infinity, ac.signal).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    ac.abort();
    await p;
    expect(done).toBe(true);
  });

  it('resolves at once on a signal already aborted', async () => {
    const t0 = performance.now();
    await sleep(60_000, AbortSignal.abort());
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('leaves no listener on the signal once the timer fired', async () => {
    const ac = new AbortController();
    let added = 0;
    let removed = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...a: Parameters<typeof add>) => {
      added++;
      add(...a);
    }) as typeof add;
    ac.signal.removeEventListener = ((...a: Parameters<typeof remove>) => {
      removed++;
      remove(...a);
    }) as typeof remove;
    for (let i = 0; i < 5; i++) await sleep(1, ac.signal);
    expect(added).toBe(5);
    expect(removed).toBe(5);
  });
});
