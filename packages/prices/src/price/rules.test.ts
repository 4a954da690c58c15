/** Each pricing rule on its own, with dollars worked by hand from the list's per-MTok rates. */
import { describe, expect, it } from 'vitest';
import { shippedBook } from '../book/shipped-book.js';
import { usage } from '../testing/usage.js';
import { priceResponse, type PricingFacts } from './price-response.js';

const book = shippedBook();
const price = (f: Partial<PricingFacts> & { model: string }) =>
  priceResponse(book, { ts: '2026-12-01T00:00:00.000Z', usage: usage(), speed: null, inferenceGeo: null, ...f });
const MTOK = 1_000_000;

describe('effective-dated prices', () => {
  const u = usage({ cacheRead: MTOK });
  it('prices Sonnet 5.5 cache reads at 0.20 before 2026-10-07 and 0.10 from it, by the response time', () => {
    expect(price({ model: 'claude-sonnet-5-5', usage: u, ts: '2026-10-06T23:59:59.999Z' }).usd).toBeCloseTo(0.2, 12);
    expect(price({ model: 'claude-sonnet-5-5', usage: u, ts: '2026-10-07T00:00:00.000Z' }).usd).toBeCloseTo(0.1, 12);
    expect(price({ model: 'claude-sonnet-5-5', usage: u, ts: '2026-10-07T02:00:00+02:00' }).usd).toBeCloseTo(0.1, 12);
  });
});

describe('whole-request prompt tier', () => {
  it('Sonnet 4.5 at exactly 200K prompt tokens stays at base rates', () => {
    // 100K input + 50K writes + 50K reads = 200K: 0.3 + 0.1875 + 0.015 + 10K output 0.15
    const u = usage({ input: 100_000, cacheCreation: 50_000, cacheRead: 50_000, output: 10_000 });
    expect(price({ model: 'claude-sonnet-4-5', usage: u }).usd).toBeCloseTo(0.6525, 12);
  });
  it('one token more moves every category, output included, to the long-context rates', () => {
    // 100,001 x 6 + 50K x 7.50 + 50K x 0.60 + 10K x 22.50 (per MTok) = 0.600006 + 0.375 + 0.03 + 0.225
    const u = usage({ input: 100_001, cacheCreation: 50_000, cacheRead: 50_000, output: 10_000 });
    expect(price({ model: 'claude-sonnet-4-5', usage: u }).usd).toBeCloseTo(1.230006, 12);
    expect(price({ model: 'claude-4-sonnet-20250514', usage: u }).usd).toBeCloseTo(1.230006, 12);
  });
  it('1-hour writes in the long-context tier cost 12 per MTok', () => {
    const u = usage({ input: 1, cacheCreation: 300_000, cacheCreation1h: 300_000 });
    expect(price({ model: 'claude-sonnet-4-5', usage: u }).usd).toBeCloseTo(300_000 * 12e-6 + 6e-6, 12);
  });
  it('Haiku 5.5 above 100K prompt tokens prices the whole request at 5x', () => {
    const below = usage({ input: 60_000, cacheRead: 40_000, output: 1_000 }); // prompt 100K
    const above = usage({ input: 60_001, cacheRead: 40_000, output: 1_000 });
    expect(price({ model: 'claude-haiku-5-5', usage: below }).usd).toBeCloseTo(0.006 + 0.0004 + 0.0005, 12);
    expect(price({ model: 'claude-haiku-5-5', usage: above }).usd).toBeCloseTo(
      60_001 * 0.5e-6 + 40_000 * 0.05e-6 + 1_000 * 2.5e-6,
      12,
    );
  });
  it('models without a tier do not change above 200K (Sonnet 4.6, Fable 5)', () => {
    const u = usage({ input: 500_000 });
    expect(price({ model: 'claude-sonnet-4-6', usage: u }).usd).toBeCloseTo(1.5, 12);
    expect(price({ model: 'claude-fable-5', usage: u }).usd).toBeCloseTo(5, 12);
  });
});

describe('fast mode', () => {
  const u = usage({ input: MTOK });
  it.each([
    ['claude-opus-4-6', 30],
    ['claude-opus-4-7', 30],
    ['claude-opus-4-8', 10],
    ['claude-opus-5', 10],
    ['claude-opus-5-5', 4],
    ['claude-sonnet-5-5', 2],
    ['claude-opus-4-5', 5],
  ])('%s fast: 1M input costs $%s', (model, usd) => {
    expect(price({ model, usage: u, speed: 'fast' }).usd).toBeCloseTo(usd, 12);
  });
  it('only speed "fast" multiplies', () => {
    expect(price({ model: 'claude-opus-4-8', usage: u, speed: 'standard' }).usd).toBeCloseTo(5, 12);
  });
});

describe('US-only inference', () => {
  const u = usage({ input: MTOK, output: MTOK, cacheCreation: MTOK, cacheRead: MTOK });
  it.each([
    ['claude-sonnet-4-6', (3 + 15 + 3.75 + 0.3) * 1.1],
    ['claude-opus-4-6', (5 + 25 + 6.25 + 0.5) * 1.1],
    ['claude-fable-5-1', (10 + 50 + 12.5 + 0.25) * 1.1],
  ])('%s (4.6 and later) costs 1.1x on every token category', (model, usd) => {
    expect(price({ model, usage: u, inferenceGeo: 'us' }).usd).toBeCloseTo(usd, 9);
  });
  it('Haiku 5.5 in its tier: 1.1x of the 5x rates', () => {
    expect(price({ model: 'claude-haiku-5-5', usage: u, inferenceGeo: 'us' }).usd).toBeCloseTo(
      (0.5 + 2.5 + 0.625 + 0.05) * 1.1,
      9,
    );
  });
  it.each([
    ['claude-opus-4-5', 36.75],
    ['claude-sonnet-4-5', 36.6],
    ['claude-haiku-4-5', 7.35],
    ['claude-3-7-sonnet', 22.05],
  ])('%s (before 4.6) has no premium', (model, usd) => {
    // claude-sonnet-4-5 at 3M prompt tokens is in its long-context tier: 6 + 22.5 + 7.5 + 0.6
    expect(price({ model, usage: u, inferenceGeo: 'us' }).usd).toBeCloseTo(usd, 9);
  });
  it('other geos cost the same as none', () => {
    expect(price({ model: 'claude-sonnet-4-6', usage: u, inferenceGeo: 'global' }).usd).toBeCloseTo(22.05, 9);
  });
});

describe('web search', () => {
  it('$10 per 1,000 searches, not multiplied by fast mode or the US premium', () => {
    const u = usage({ input: MTOK, webSearchRequests: 3 });
    expect(price({ model: 'claude-opus-4-6', usage: u, speed: 'fast', inferenceGeo: 'us' }).usd).toBeCloseTo(
      5 * 6 * 1.1 + 0.03,
      12,
    );
  });
  it('web fetches cost tokens only', () => {
    expect(price({ model: 'claude-opus-4-6', usage: usage({ webFetchRequests: 5 }) }).usd).toBe(0);
  });
});

describe('cache writes', () => {
  it('a line without the TTL split prices its writes as 5-minute writes', () => {
    expect(price({ model: 'claude-opus-5', usage: usage({ cacheCreation: MTOK }) }).usd).toBeCloseTo(6.25, 12);
  });
  it('split writes: 5-minute at the 5m rate, 1-hour at the 1h rate', () => {
    const u = usage({ cacheCreation: MTOK, cacheCreation5m: 400_000, cacheCreation1h: 600_000 });
    expect(price({ model: 'claude-opus-5', usage: u }).usd).toBeCloseTo(0.4 * 6.25 + 0.6 * 10, 12);
  });
});

describe('advisor iterations', () => {
  const exec = usage({ input: 10_000, output: 1_000 }); // Sonnet 5.5: 0.02 + 0.01
  it("add their usage at the advisor model's rates", () => {
    const adv = usage({ input: 20_000, output: 2_000 }); // Opus 5.5: 0.08 + 0.04
    const p = price({ model: 'claude-sonnet-5-5', usage: exec, advisor: [{ model: 'claude-opus-5-5', usage: adv }] });
    expect(p).toMatchObject({ key: 'claude-sonnet-5-5', unpriced: false });
    expect(p.usd).toBeCloseTo(0.03 + 0.12, 12);
  });
  it("follow the advisor's own tier and the response's US rule, not the executor's fast mode", () => {
    const adv = usage({ input: 150_000 }); // Haiku 5.5 above 100K: 150K x 0.50 = 0.075
    const p = price({
      model: 'claude-opus-4-8',
      usage: exec,
      speed: 'fast',
      inferenceGeo: 'us',
      advisor: [{ model: 'claude-haiku-5-5', usage: adv }],
    });
    expect(p.usd).toBeCloseTo((0.05 + 0.025) * 2 * 1.1 + 0.075 * 1.1, 12);
  });
  it('an unknown advisor model leaves the whole response unpriced', () => {
    const p = price({ model: 'claude-sonnet-5-5', usage: exec, advisor: [{ model: 'claude-opus-9', usage: exec }] });
    expect(p).toMatchObject({ usd: null, unpriced: true, key: 'claude-sonnet-5-5' });
  });
});

describe('never priced', () => {
  it('<synthetic> lines', () => {
    expect(price({ model: '<synthetic>', usage: usage({ input: 5 }) })).toMatchObject({
      usd: null,
      unpriced: true,
      key: null,
    });
  });
  it('unknown models are null, never $0', () => {
    expect(price({ model: 'claude-opus-4-9', usage: usage({ input: 5 }) })).toMatchObject({
      usd: null,
      unpriced: true,
      key: null,
    });
  });
});
