import type { Migration } from './migration.js';

/**
 * Cost is computed where the tokens are stored, from one price book (DESIGN sections 4 and 7).
 *
 * - usage gains the facts pricing needs that 002 did not keep: `inference_geo` (US-only inference is priced
 *   higher) and `line_uuid` (the transcript line, so a response the CLI later retracted can be recognized).
 *   The host-side `cost_usd` / `unpriced` / `price_version` columns stay for old readers but nothing reads
 *   them: the usage_responses view prices every response from the joined book instead.
 * - prices: per RAW model string as stored in usage (id resolution stays in one TypeScript implementation,
 *   the book's resolveModel), its effective-dated rates, tier and multipliers, and the book version. Written
 *   by a sync (prices/price-sync.ts) as a whole new `generation`, one partition per generation, so a sync is
 *   one insert and dropping an old generation is one partition drop.
 * - price_syncs: one row per completed sync, written after its generation's rows: the commit marker. Readers
 *   price with the newest generation that has a marker, so they never see a half-written book.
 *
 * The usage_responses view itself is (re)defined by migrate() after every run from reports/responses-sql.ts.
 */
export const migration: Migration = {
  version: 6,
  name: 'central-prices',
  statements: () => [
    `ALTER TABLE usage ADD COLUMN IF NOT EXISTS inference_geo LowCardinality(String) DEFAULT ''`,
    `ALTER TABLE usage ADD COLUMN IF NOT EXISTS line_uuid String DEFAULT ''`,
    `CREATE TABLE IF NOT EXISTS prices (
      generation UInt64,
      model String,
      price_key LowCardinality(String),
      effective_from DateTime64(3, 'UTC'),
      effective_to Nullable(DateTime64(3, 'UTC')),
      input Float64,
      output Float64,
      cache_write_5m Float64,
      cache_write_1h Float64,
      cache_read Float64,
      tier_threshold UInt64,
      tier_input Float64,
      tier_output Float64,
      tier_cache_write_5m Float64,
      tier_cache_write_1h Float64,
      tier_cache_read Float64,
      fast_multiplier Float64,
      us_multiplier Float64,
      web_search_per_request Float64,
      book_version LowCardinality(String)
    )
    ENGINE = MergeTree
    PARTITION BY generation
    ORDER BY (model, effective_from)`,
    `CREATE TABLE IF NOT EXISTS price_syncs (
      generation UInt64,
      book_version String,
      models UInt32,
      priced_models UInt32,
      synced_at DateTime64(3, 'UTC') DEFAULT now64(3)
    )
    ENGINE = MergeTree
    ORDER BY generation`,
  ],
};
