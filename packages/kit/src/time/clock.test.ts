import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from './clock.js';

describe('clocks', () => {
  it('the system clock reads Date.now', () => {
    const before = Date.now();
    const t = systemClock.now();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('a manual clock moves only when told to', () => {
    const c = new ManualClock(1000);
    expect(c.now()).toBe(1000);
    c.advance(250);
    expect(c.now()).toBe(1250);
    c.set(10);
    expect(c.now()).toBe(10);
  });
});
