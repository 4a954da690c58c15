/**
 * Every model of the December 2026 price list (docs: data/anthropic-prices-2026-12.md, section 3.1, plus the
 * Claude 3.x ids of old histories) priced on one usage: 10K input, 20K output, 30K 5-minute writes,
 * 20K 1-hour writes, 30K cache reads (prompt 90K: below every tier). Expected dollars were worked from the
 * list's per-MTok rates, independently of the book file.
 */
import { describe, expect, it } from 'vitest';
import { shippedBook } from '../book/shipped-book.js';
import { listKeys } from '../book/price-book.js';
import { usage } from '../testing/usage.js';
import { priceResponse } from './price-response.js';

const U = usage({
  input: 10_000,
  output: 20_000,
  cacheCreation: 50_000,
  cacheCreation5m: 30_000,
  cacheCreation1h: 20_000,
  cacheRead: 30_000,
});
const TS = '2026-12-01T12:00:00.000Z';

const EXPECTED: [string, number][] = [
  ['claude-fable-5-1', 1.8825],
  ['claude-mythos-5-1', 1.8825],
  ['claude-fable-5', 1.905],
  ['claude-mythos-5', 1.905],
  ['claude-fable-5-2', 1.506],
  ['claude-mythos-5-2', 1.506],
  ['claude-opus-5-5', 0.756],
  ['claude-opus-5', 0.9525],
  ['claude-opus-4-8', 0.9525],
  ['claude-opus-4-7', 0.9525],
  ['claude-opus-4-6', 0.9525],
  ['claude-opus-4-5', 0.9525],
  ['claude-opus-4-1', 2.8575],
  ['claude-opus-4', 2.8575],
  ['claude-sonnet-5-5', 0.378],
  ['claude-sonnet-5', 0.381],
  ['claude-sonnet-4-6', 0.5715],
  ['claude-sonnet-4-5', 0.5715],
  ['claude-sonnet-4', 0.5715],
  ['claude-haiku-5-5', 0.01905],
  ['claude-haiku-4-5', 0.1905],
  ['claude-3-5-haiku', 0.1524],
  ['claude-3-7-sonnet', 0.5715],
  ['claude-3-5-sonnet', 0.5715],
  ['claude-3-opus', 2.8575],
  ['claude-3-haiku', 0.0474],
];

describe('every model of the price list', () => {
  const book = shippedBook();

  it.each(EXPECTED)('%s costs $%s', (model, usd) => {
    const p = priceResponse(book, { model, ts: TS, usage: U, speed: null, inferenceGeo: null });
    expect(p).toMatchObject({ unpriced: false, key: model, bookVersion: '2026-12-06' });
    expect(p.usd).toBeCloseTo(usd, 9);
  });

  it('the book has exactly the listed models (a new entry needs a worked price here)', () => {
    expect(listKeys(book)).toEqual(EXPECTED.map(([k]) => k).sort());
  });

  it('names the source of every entry and marks the single-source 5.2 prices', () => {
    for (const [key, entry] of book.models) expect(entry.source, key).toBeTruthy();
    for (const key of ['claude-fable-5-2', 'claude-mythos-5-2']) {
      expect(book.models.get(key)?.note).toMatch(/single source/i);
      expect(book.models.get(key)?.note).toMatch(/1\.25x.*2x/);
    }
  });
});
