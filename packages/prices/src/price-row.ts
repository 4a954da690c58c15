/**
 * The flat, effective-dated price of one canonical model: what a response is priced with, and what a store
 * joins usage rows on. Rates are USD per token here (the book file writes USD per million tokens).
 */
export interface Rates {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

/** One effective-dated price of one canonical model. */
export interface PriceRow {
  /** Canonical id, e.g. 'claude-sonnet-5-5'. */
  key: string;
  /** ISO instant; null = since always. Rows of one key are disjoint in time and sorted. */
  effectiveFrom: string | null;
  /** Exclusive; null = open. */
  effectiveTo: string | null;
  base: Rates;
  /** Whole-request prompt tier: when input + cache writes + cache reads exceed threshold, every category
   *  (output included) is priced at `rates`. */
  tier: { threshold: number; rates: Rates } | null;
  /** Applied when the response ran with `speed: "fast"`; 1 when the model has no fast mode. */
  fastMultiplier: number;
  /** Applied when `inferenceGeo === "us"`; 1 when the model has no US-only premium. */
  usMultiplier: number;
  /** USD per web search request; never multiplied. */
  webSearchPerRequest: number;
}
