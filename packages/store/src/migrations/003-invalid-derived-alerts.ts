import { ttlClause, type Migration } from './migration.js';

/**
 * What the validator rejected (kept to see what a new format looks like), what the analyzer derived (tool
 * spans, session summaries, anomalies: kind + JSON until each kind earns its own columns) and the alerts.
 * Ids are deterministic upstream, so each table is a ReplacingMergeTree on its id.
 */
export const migration: Migration = {
  version: 3,
  name: 'invalid_derived_alerts',
  statements: (s) => [
    `CREATE TABLE IF NOT EXISTS invalid_events (
      id String,
      received_at DateTime64(3, 'UTC'),
      host LowCardinality(String),
      reason LowCardinality(String),
      detail String CODEC(ZSTD(3)),
      source_path String CODEC(ZSTD(3)),
      source_from UInt64,
      source_to UInt64,
      raw String CODEC(ZSTD(3))
    )
    ENGINE = ReplacingMergeTree
    PARTITION BY toYYYYMM(received_at)
    ORDER BY (reason, host, id)
    ${ttlClause('received_at', s.invalidTtlDays)}`,
    `CREATE TABLE IF NOT EXISTS derived (
      id String,
      kind LowCardinality(String),
      ts DateTime64(3, 'UTC'),
      host LowCardinality(String),
      user LowCardinality(String),
      session_id String,
      agent_id String,
      project LowCardinality(String),
      tool_name LowCardinality(String),
      duration_ms Nullable(Float64),
      is_error Bool,
      payload String CODEC(ZSTD(3))
    )
    ENGINE = ReplacingMergeTree
    PARTITION BY toYYYYMM(ts)
    ORDER BY (kind, host, toDate(ts), id)
    ${ttlClause('ts', s.eventsTtlDays)}`,
    `CREATE TABLE IF NOT EXISTS alerts (
      id String,
      rule LowCardinality(String),
      severity LowCardinality(String),
      status LowCardinality(String),
      ts DateTime64(3, 'UTC'),
      host LowCardinality(String),
      user LowCardinality(String),
      session_id String,
      summary String CODEC(ZSTD(3)),
      payload String CODEC(ZSTD(3)),
      updated_at DateTime64(3, 'UTC')
    )
    ENGINE = ReplacingMergeTree(updated_at)
    PARTITION BY toYYYYMM(ts)
    ORDER BY (rule, host, id)`,
  ],
};
