import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('forgets the oldest entry beyond its capacity and hands it back', () => {
    const m = new BoundedMap<string, number>(3);
    expect(m.set('a', 1)).toBeUndefined();
    m.set('b', 2);
    m.set('c', 3);
    expect(m.set('d', 4)).toEqual(['a', 1]);
    expect([...m]).toEqual([
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ]);
    expect(m.size).toBe(3);
    expect(m.has('a')).toBe(false);
  });

  it('is a FIFO when nobody touches: setting a known key replaces its value in place', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.set('a', 10)).toBeUndefined();
    expect(m.set('c', 3)).toEqual(['a', 10]);
    expect([...m.keys()]).toEqual(['b', 'c']);
  });

  it('is an LRU when uses touch: a touched key is the last to go', () => {
    const m = new BoundedMap<string, number>(3);
    for (const k of ['a', 'b', 'c']) m.set(k, 0);
    expect(m.touch('a')).toBe(true);
    expect(m.touch('zz')).toBe(false);
    expect(m.oldest()).toEqual(['b', 0]);
    expect(m.set('d', 0)).toEqual(['b', 0]);
    expect([...m.keys()]).toEqual(['c', 'a', 'd']);
  });

  it('deletes from anywhere, trims to a size, and visits live entries only', () => {
    const m = new BoundedMap<string, number>(10);
    for (let i = 0; i < 6; i += 1) m.set(`k${i}`, i);
    expect(m.delete('k2')).toBe(true);
    expect(m.delete('k2')).toBe(false);
    m.touch('k0');
    // deleting the entry being visited is safe
    for (const [k, v] of m) if (v % 2 === 1) m.delete(k);
    expect([...m.keys()]).toEqual(['k4', 'k0']);
    m.set('k7', 7);
    m.trimTo(1);
    expect([...m.values()]).toEqual([7]);
    m.clear();
    expect(m.oldest()).toBeUndefined();
    expect(m.size).toBe(0);
  });

  it('keeps its order through many touches and evictions of a few keys', () => {
    const m = new BoundedMap<string, number>(7);
    for (let i = 0; i < 200_000; i += 1) {
      const k = `k${i % 11}`;
      if (!m.touch(k)) m.set(k, i);
    }
    // The last touches were of (199_993..199_999) % 11, least recent first.
    expect([...m.keys()]).toEqual(Array.from({ length: 7 }, (_, i) => `k${(199_993 + i) % 11}`));
  });

  it('refuses a capacity below one', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
  });
});
