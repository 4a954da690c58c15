import { describe, expect, it } from 'vitest';
import { PRICE_VERSION, priceUsage, type TokenUsage } from './price-usage.js';

const usage = (u: Partial<TokenUsage>): TokenUsage => ({
  input: 0, output: 0, cacheCreation: 0, cacheRead: 0, cacheCreation5m: 0, cacheCreation1h: 0, webSearchRequests: 0, webFetchRequests: 0, ...u,
});

// claude-opus-4-6: input $5/M, output $25/M, cache write $6.25/M, cache read $0.50/M, fast x6, no 200k tier.
// claude-sonnet-4-5: input $3/M ($6/M above 200k), output $15/M ($22.50/M), write $3.75/M ($7.50/M), read $0.30/M ($0.60/M).
describe('priceUsage', () => {
  it('prices the four kinds, 5m writes at the cache-write rate and 1h writes at 2x input', () => {
    const p = priceUsage('claude-opus-4-6', usage({ input: 1000, output: 2000, cacheCreation: 10_000, cacheCreation5m: 4000, cacheCreation1h: 6000, cacheRead: 100_000 }));
    // 1000*5e-6 + 2000*25e-6 + 4000*6.25e-6 + 6000*10e-6 + 100000*0.5e-6 = 0.005 + 0.05 + 0.025 + 0.06 + 0.05
    expect(p.usd).toBeCloseTo(0.19, 10);
    expect(p.unpriced).toBe(false);
    expect(p.priceVersion).toBe(PRICE_VERSION);
  });

  it('prices all cache writes at the cache-write rate when the line has no 5m/1h split', () => {
    const p = priceUsage('claude-opus-4-6', usage({ input: 1000, output: 2000, cacheCreation: 10_000, cacheRead: 100_000 }));
    expect(p.usd).toBeCloseTo(0.005 + 0.05 + 0.0625 + 0.05, 10);
  });

  it('tiers each category independently at 200k tokens when the model has an above-200k price', () => {
    const p = priceUsage('claude-sonnet-4-5', usage({ input: 300_000, output: 250_000, cacheRead: 500_000, cacheCreation: 300_000, cacheCreation1h: 300_000 }));
    const input = 200_000 * 3e-6 + 100_000 * 6e-6; // 1.2
    const output = 200_000 * 15e-6 + 50_000 * 22.5e-6; // 4.125
    const read = 200_000 * 0.3e-6 + 300_000 * 0.6e-6; // 0.24
    const write1h = 200_000 * 6e-6 + 100_000 * 12e-6; // 2.4 (2x input on both sides of the tier)
    expect(p.usd).toBeCloseTo(input + output + read + write1h, 10);
    expect(p.usd).toBeCloseTo(7.965, 10);
    // No tier price: everything at base.
    expect(priceUsage('claude-opus-4-6', usage({ input: 300_000 })).usd).toBeCloseTo(1.5, 10);
  });

  it('multiplies fast mode by the model multiplier when there is one', () => {
    expect(priceUsage('claude-opus-4-6', usage({ input: 1000 }), 'fast').usd).toBeCloseTo(0.03, 10);
    expect(priceUsage('claude-opus-4-6', usage({ input: 1000 }), 'standard').usd).toBeCloseTo(0.005, 10);
    expect(priceUsage('claude-haiku-4-5', usage({ input: 1000 }), 'fast').usd).toBeCloseTo(0.001, 10);
  });

  it('matches dated, provider-prefixed and Vertex spellings', () => {
    const u = usage({ input: 100_000 });
    expect(priceUsage('claude-haiku-4-5-20991231', u).usd).toBeCloseTo(0.1, 10);
    expect(priceUsage('anthropic/claude-sonnet-4-5', u).usd).toBeCloseTo(0.3, 10);
    expect(priceUsage('claude-sonnet-4@20250514', u).usd).toBeCloseTo(0.3, 10);
    expect(priceUsage('claude-opus-4-6[1m]', u).usd).toBeCloseTo(0.5, 10);
  });

  it('reports unknown models and <synthetic> as unpriced, never as $0', () => {
    for (const model of ['gpt-4o', 'claude-opus-4-9', '', '<synthetic>']) {
      expect(priceUsage(model, usage({ input: 10, output: 10 }))).toEqual({ usd: null, unpriced: true, priceVersion: PRICE_VERSION });
    }
  });

  it('names the price table by a short hash', () => {
    expect(PRICE_VERSION).toMatch(/^litellm-[0-9a-f]{12}$/);
  });
});
