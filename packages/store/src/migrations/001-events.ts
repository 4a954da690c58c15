import { ttlClause, type Migration } from './migration.js';

/**
 * Every normalized event, one row per event id.
 *
 * Dedup: ReplacingMergeTree collapses rows with equal ORDER BY keys inside one partition. The key ends with
 * the event id, and everything before it (host, day of ts) plus the partition (month of ts) is a function of
 * the id: the id hashes host, file and byte offset, and the ts of a line is read from the same bytes. So every
 * redelivered copy of an event lands in the same partition with the same key and collapses. Queries that
 * count must still use FINAL or uniq(id): merges happen in the background, whenever.
 */
export const migration: Migration = {
  version: 1,
  name: 'events',
  statements: (s) => [
    `CREATE TABLE IF NOT EXISTS events (
      id UUID,
      type LowCardinality(String),
      ts DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
      ts_source LowCardinality(String),
      host LowCardinality(String),
      user LowCardinality(String),
      session_id String,
      agent_id String,
      sidechain Bool,
      cwd String CODEC(ZSTD(3)),
      project LowCardinality(String),
      git_branch LowCardinality(String),
      cc_version LowCardinality(String),
      model LowCardinality(String),
      tool_name LowCardinality(String),
      line_uuid String,
      parent_uuid String,
      labels Map(LowCardinality(String), String),
      payload String CODEC(ZSTD(3)),
      source_path String CODEC(ZSTD(3)),
      source_offset UInt64 CODEC(Delta, ZSTD(1)),
      ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
      INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX idx_type type TYPE set(64) GRANULARITY 4
    )
    ENGINE = ReplacingMergeTree
    PARTITION BY toYYYYMM(ts)
    ORDER BY (host, toDate(ts), id)
    ${ttlClause('ts', s.eventsTtlDays)}
    SETTINGS non_replicated_deduplication_window = 1000`,
  ],
};
