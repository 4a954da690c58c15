/**
 * Writes the price book into the store as the price rows of every model the usage table holds (migration 006),
 * so the usage_responses view prices all history with it: a changed book re-prices every stored response at
 * the next sync, without re-ingesting anything, whatever collector version produced the rows.
 *
 * Rows are keyed by the RAW model string of usage: id resolution (dated ids, provider prefixes, aliases) stays
 * in one implementation, the book's resolveModel, and SQL only joins on equality. A model the book does not
 * know gets no row, and the view reports it as unpriced.
 *
 * A sync writes a whole new generation in one insert, then its price_syncs marker (readers use the newest
 * marked generation), then drops the generations older than the one before it: a query that picked the
 * previous generation a moment ago still finds its rows.
 */
import { priceRows, resolveModel, type PriceBook, type PriceRow } from '@cctap/prices';
import { toClickHouseTime } from '../store/clickhouse-time.js';
import type { Store } from '../store/open-store.js';

export interface PriceSyncResult {
  generation: number;
  bookVersion: string;
  /** Distinct model strings in usage. */
  models: string[];
  /** Those the book does not price (no row: unpriced in every report). */
  unpriced: string[];
}

interface PriceTableRow {
  generation: number;
  model: string;
  price_key: string;
  effective_from: string;
  effective_to: string | null;
  input: number;
  output: number;
  cache_write_5m: number;
  cache_write_1h: number;
  cache_read: number;
  tier_threshold: number;
  tier_input: number;
  tier_output: number;
  tier_cache_write_5m: number;
  tier_cache_write_1h: number;
  tier_cache_read: number;
  fast_multiplier: number;
  us_multiplier: number;
  web_search_per_request: number;
  book_version: string;
}

const SINCE_ALWAYS = '1970-01-01 00:00:00.000';

function tableRow(generation: number, model: string, r: PriceRow, bookVersion: string): PriceTableRow {
  const t = r.tier?.rates ?? r.base;
  return {
    generation,
    model,
    price_key: r.key,
    effective_from: r.effectiveFrom === null ? SINCE_ALWAYS : toClickHouseTime(r.effectiveFrom),
    effective_to: r.effectiveTo === null ? null : toClickHouseTime(r.effectiveTo),
    input: r.base.input,
    output: r.base.output,
    cache_write_5m: r.base.cacheWrite5m,
    cache_write_1h: r.base.cacheWrite1h,
    cache_read: r.base.cacheRead,
    tier_threshold: r.tier?.threshold ?? 0,
    tier_input: t.input,
    tier_output: t.output,
    tier_cache_write_5m: t.cacheWrite5m,
    tier_cache_write_1h: t.cacheWrite1h,
    tier_cache_read: t.cacheRead,
    fast_multiplier: r.fastMultiplier,
    us_multiplier: r.usMultiplier,
    web_search_per_request: r.webSearchPerRequest,
    book_version: bookVersion,
  };
}

/** Replaces the store's price rows with `book`'s, for every model in usage. */
export async function syncPrices(store: Store, book: PriceBook): Promise<PriceSyncResult> {
  const models = (await store.query<{ model: string }>('SELECT DISTINCT model FROM usage ORDER BY model')).map(
    (r) => r.model,
  );
  const [last] = await store.query<{ g: string | number }>('SELECT max(generation) AS g FROM price_syncs');
  // Increasing across syncs, and across processes syncing one server store at about the same time.
  const generation = Math.max(Date.now(), Number(last?.g ?? 0) + 1);
  const rows: PriceTableRow[] = [];
  const unpriced: string[] = [];
  for (const model of models) {
    const key = resolveModel(book, model);
    const prices = key === null ? [] : priceRows(book, key);
    if (prices.length === 0) unpriced.push(model);
    for (const r of prices) rows.push(tableRow(generation, model, r, book.version));
  }
  if (rows.length > 0) await store.insert('prices', rows);
  await store.insert('price_syncs', [
    { generation, book_version: book.version, models: models.length, priced_models: models.length - unpriced.length },
  ]);
  const old = await store.query<{ g: string | number }>(
    'SELECT DISTINCT generation AS g FROM prices WHERE generation < (SELECT max(generation) FROM price_syncs WHERE generation < {gen:UInt64})',
    { gen: generation },
  );
  for (const o of old) await store.command(`ALTER TABLE prices DROP PARTITION ${Number(o.g)}`);
  return { generation, bookVersion: book.version, models, unpriced };
}
