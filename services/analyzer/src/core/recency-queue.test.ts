import { describe, expect, it } from 'vitest';
import { RecencyQueue } from './recency-queue.js';

describe('RecencyQueue', () => {
  it('names the least recently touched key, skipping deleted and re-touched ones', () => {
    const q = new RecencyQueue();
    for (const k of ['a', 'b', 'c', 'd']) q.touch(k);
    q.touch('a');
    q.delete('b');
    expect(q.oldest()).toBe('c');
    expect([...q.ordered()]).toEqual(['c', 'd', 'a']);
    expect(q.size).toBe(3);
    q.delete('c');
    q.delete('d');
    q.delete('a');
    expect(q.oldest()).toBeUndefined();
  });

  it('keeps its order through many touches of a few keys (its queue is compacted as it goes)', () => {
    const q = new RecencyQueue();
    for (let i = 0; i < 200_000; i += 1) q.touch(`k${i % 7}`);
    // The last touches were k3..k6 then k0..k2 (199_993..199_999), least recent first.
    expect([...q.ordered()]).toEqual(['k2', 'k3', 'k4', 'k5', 'k6', 'k0', 'k1'].map((_, i) => `k${(199_993 + i) % 7}`));
    expect(q.oldest()).toBe(`k${199_993 % 7}`);
  });
});
