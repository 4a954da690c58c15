import { ttlClause, type Migration } from './migration.js';

/**
 * One row per assistant line that carries usage of a real API response (transcript-format.md section 7).
 *
 * Key: (message_id, request_id, scope) where scope is '' when the request id is known (dedup is global:
 * resume copies and subagent replays live in other files and sessions) and the session id when it is not
 * (gateways that return a constant message id and no request id, section 7.2).
 *
 * Version: the max rule, "the line with the largest token total wins". `version` packs the token total in
 * the high 23 bits (a response's total is bounded by the context window, < 2^21) and the inverted
 * millisecond of ts since 2020 in the low 41 bits, so on equal totals the earliest line wins (as in ccusage
 * and the corpus generator: the first line of a response is also its earliest), deterministically; background merges and the argMax(…, version) of the report queries therefore
 * always pick the same line, and a number never changes when a merge happens or a duplicate arrives.
 * Partitions only bound merges; reports group by the key over all partitions, so a response whose lines
 * straddle a month boundary still counts once.
 */
export const migration: Migration = {
  version: 2,
  name: 'usage',
  statements: (s) => [
    `CREATE TABLE IF NOT EXISTS usage (
      message_id String,
      request_id String,
      scope String,
      ts DateTime64(3, 'UTC'),
      event_id UUID,
      host LowCardinality(String),
      user LowCardinality(String),
      session_id String,
      agent_id String,
      sidechain Bool,
      project LowCardinality(String),
      git_branch LowCardinality(String),
      model LowCardinality(String),
      input_tokens UInt64,
      output_tokens UInt64,
      cache_creation_tokens UInt64,
      cache_creation_5m_tokens UInt64,
      cache_creation_1h_tokens UInt64,
      cache_read_tokens UInt64,
      web_search_requests UInt32,
      web_fetch_requests UInt32,
      total_tokens UInt64,
      cost_usd Nullable(Float64),
      unpriced Bool,
      price_version LowCardinality(String),
      speed LowCardinality(String),
      service_tier LowCardinality(String),
      version UInt64 MATERIALIZED
        bitShiftLeft(toUInt64(least(total_tokens, 8388607)), 41)
        + (2199023255551 - toUInt64(least(greatest(toUnixTimestamp64Milli(ts) - 1577836800000, 0), 2199023255551))),
      INDEX idx_ts ts TYPE minmax GRANULARITY 1
    )
    ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(ts)
    ORDER BY (message_id, request_id, scope)
    ${ttlClause('ts', s.usageTtlDays)}
    SETTINGS non_replicated_deduplication_window = 1000`,
  ],
};
