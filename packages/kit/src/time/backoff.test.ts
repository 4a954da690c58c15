import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base and stops at the cap', () => {
    const p = { baseMs: 500, capMs: 5000, jitter: 'none' } as const;
    expect([1, 2, 3, 4, 5, 6, 50].map((a) => backoffDelay(a, p))).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('treats an attempt below 1 as the first, and stays finite for any attempt count', () => {
    const p = { baseMs: 1000, capMs: 60_000, jitter: 'none' } as const;
    expect(backoffDelay(0, p)).toBe(1000);
    expect(backoffDelay(-3, p)).toBe(1000);
    expect(backoffDelay(10_000, p)).toBe(60_000);
  });

  it('full jitter spreads over [0, delay]', () => {
    const p = { baseMs: 100, capMs: 1000, jitter: 'full' } as const;
    expect(backoffDelay(3, p, () => 0)).toBe(0);
    expect(backoffDelay(3, p, () => 0.5)).toBe(200);
    expect(backoffDelay(3, p, () => 1)).toBe(400);
    expect(backoffDelay(9, p, () => 1)).toBe(1000);
  });

  it('equal jitter spreads over [delay / 2, delay]', () => {
    const p = { baseMs: 100, capMs: 1000, jitter: 'equal' } as const;
    expect(backoffDelay(3, p, () => 0)).toBe(200);
    expect(backoffDelay(3, p, () => 1)).toBe(400);
  });

  it('with the real random source every delay stays inside its bounds', () => {
    const p = { baseMs: 50, capMs: 2000, jitter: 'full' } as const;
    for (let a = 1; a < 12; a++) {
      const d = backoffDelay(a, p);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.min(2000, 50 * 2 ** (a - 1)));
    }
  });
});
