/**
 * The cost of one API response from one book (DESIGN sections 4 and 7). The formula, for the row r in force
 * at the response's own timestamp and usage u:
 *   writes = max(cacheCreation, cacheCreation5m + cacheCreation1h); w1h = min(cacheCreation1h, writes);
 *   w5m = writes - w1h; prompt = input + writes + cacheRead
 *   rates = prompt > r.tier.threshold ? r.tier.rates : r.base         (the whole request, output included)
 *   usd = (input·in + output·out + w5m·cw5m + w1h·cw1h + cacheRead·read)
 *         × (fast ? r.fastMultiplier : 1) × (geo us ? r.usMultiplier : 1)
 *         + webSearchRequests · r.webSearchPerRequest                  (not multiplied)
 * Advisor iterations add their own cost under their own model (its rates, tier and US rule; fast mode is a
 * property of the executor's request, so it does not apply to them). A response is unpriced when its model
 * or any advisor's model is unknown: usd null, never a partial sum.
 */
import type { PayloadOf } from '@cctap/events';
import { rowAt, rowsOf, type PriceBook } from '../book/price-book.js';
import type { PriceRow } from '../price-row.js';
import { resolveModel } from '../resolve/resolve-model.js';

export type TokenUsage = PayloadOf<'assistant'>['usage'];

export interface PricingFacts {
  model: string;
  /** The response's own time: it selects the effective-dated price. */
  ts: string;
  usage: TokenUsage;
  speed: string | null;
  inferenceGeo: string | null;
  advisor?: { model: string; usage: TokenUsage }[];
}

export interface ResponsePrice {
  usd: number | null;
  unpriced: boolean;
  /** The canonical key of the response's model; null when unknown. */
  key: string | null;
  bookVersion: string;
}

/** Claude Code writes these lines itself: no API call, never priced. */
const SYNTHETIC_MODEL = '<synthetic>';

function cacheWrites(u: TokenUsage): { total: number; w5m: number; w1h: number } {
  // Lines without the TTL split report only cacheCreation: those writes are 5-minute writes.
  const total = Math.max(u.cacheCreation, u.cacheCreation5m + u.cacheCreation1h);
  const w1h = Math.min(u.cacheCreation1h, total);
  return { total, w5m: total - w1h, w1h };
}

/** The cost of one usage under one row (the single implementation of the formula above). */
function costWithRow(r: PriceRow, u: TokenUsage, speed: string | null, inferenceGeo: string | null): number {
  const writes = cacheWrites(u);
  const prompt = u.input + writes.total + u.cacheRead;
  const rates = r.tier && prompt > r.tier.threshold ? r.tier.rates : r.base;
  const tokens =
    u.input * rates.input +
    u.output * rates.output +
    writes.w5m * rates.cacheWrite5m +
    writes.w1h * rates.cacheWrite1h +
    u.cacheRead * rates.cacheRead;
  const fast = speed === 'fast' ? r.fastMultiplier : 1;
  const us = inferenceGeo === 'us' ? r.usMultiplier : 1;
  return tokens * fast * us + u.webSearchRequests * r.webSearchPerRequest;
}

function usageCost(
  book: PriceBook,
  model: string,
  ts: string,
  u: TokenUsage,
  speed: string | null,
  geo: string | null,
): { key: string | null; usd: number | null } {
  if (model === SYNTHETIC_MODEL) return { key: null, usd: null };
  const key = resolveModel(book, model);
  const row = key === null ? null : rowAt(rowsOf(book, key), ts);
  return { key, usd: row ? costWithRow(row, u, speed, geo) : null };
}

export function priceResponse(book: PriceBook, f: PricingFacts): ResponsePrice {
  const own = usageCost(book, f.model, f.ts, f.usage, f.speed, f.inferenceGeo);
  let usd = own.usd;
  for (const a of f.advisor ?? []) {
    if (usd === null) break;
    const adv = usageCost(book, a.model, f.ts, a.usage, null, f.inferenceGeo);
    usd = adv.usd === null ? null : usd + adv.usd;
  }
  return { usd, unpriced: usd === null, key: own.key, bookVersion: book.version };
}
