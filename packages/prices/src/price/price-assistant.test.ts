import { describe, expect, it } from 'vitest';
import { shippedBook } from '../book/shipped-book.js';
import { usage } from '../testing/usage.js';
import { priceAssistant } from './price-assistant.js';
import { priceResponse } from './price-response.js';

const book = shippedBook();
const TS = '2026-12-01T00:00:00.000Z';
const MTOK = 1_000_000;

describe('priceAssistant', () => {
  it('prices a payload as priceResponse prices the same facts: speed, region and advisor iterations', () => {
    const p = {
      model: 'claude-opus-4-8',
      usage: usage({ input: MTOK, output: 1000 }),
      speed: 'fast',
      inferenceGeo: 'us',
      advisor: [{ model: 'claude-opus-5-5', usage: usage({ input: 2000 }) }],
    };
    const got = priceAssistant(book, p, TS);
    expect(got).toEqual(priceResponse(book, { ...p, ts: TS }));
    // Every fact counts: without fast mode, the region or the advisor the price is lower.
    expect(got.usd!).toBeGreaterThan(priceAssistant(book, { ...p, speed: null }, TS).usd!);
    expect(got.usd!).toBeGreaterThan(priceAssistant(book, { ...p, inferenceGeo: null }, TS).usd!);
    expect(got.usd!).toBeGreaterThan(priceAssistant(book, { ...p, advisor: undefined }, TS).usd!);
  });

  it('a payload without a region or advisor (older producers) is priced as region null, no advisor', () => {
    const p = { model: 'claude-sonnet-4-6', usage: usage({ input: MTOK }), speed: null };
    expect(priceAssistant(book, p, TS)).toEqual(priceResponse(book, { ...p, ts: TS, inferenceGeo: null }));
    expect(priceAssistant(book, p, TS).usd).toBeCloseTo(3, 9);
  });
});
