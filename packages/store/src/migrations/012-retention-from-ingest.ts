import { ttlClause, type Migration } from './migration.js';

/**
 * Retention counts from when a row was stored, not from when it happened; token accounting is never expired.
 *
 * 001 and 003 expired `events` and `derived` rows `eventsTtlDays` after their own `ts`. A backfill of
 * transcripts older than that (a laptop's two-year-old history, an archive imported once) was deleted by
 * ClickHouse as it was inserted: the collector counted it published, the store never showed it. The TTL now
 * runs from `ingested_at` (events already had it; derived gets it, its existing rows counting from this
 * migration), so what a user came to keep stays for the whole retention period after it arrived.
 *
 * `usage` is the token and cost history the reports answer from: a TTL there silently lowers every total
 * that reaches back that far. It has none any more (002 gave it one from `ts`).
 *
 * ClickHouse refuses REMOVE TTL on a table without one (and a table created with retention 0 has none), so
 * every removal first sets a harmless one without rewriting anything (materialize_ttl_after_modify = 0): the
 * statements are the same on every store and run again without error. Changing the events TTL rewrites each
 * part's TTL information once (what MODIFY TTL does), so rows stored longer ago than the retention go.
 */
const PLACEHOLDER_DAYS = 20_000; // within DateTime's range (2106) for any ts of this century

function retainFor(table: string, column: string, days: number): string[] {
  if (days > 0) return [`ALTER TABLE ${table} MODIFY ${ttlClause(column, days)}`];
  return [
    `ALTER TABLE ${table} MODIFY ${ttlClause(column, PLACEHOLDER_DAYS)} SETTINGS materialize_ttl_after_modify = 0`,
    `ALTER TABLE ${table} REMOVE TTL`,
  ];
}

export const migration: Migration = {
  version: 12,
  name: 'retention-from-ingest',
  statements: (s) => [
    `ALTER TABLE derived ADD COLUMN IF NOT EXISTS ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)`,
    ...retainFor('events', 'ingested_at', s.eventsTtlDays),
    ...retainFor('derived', 'ingested_at', s.eventsTtlDays),
    ...retainFor('usage', 'ts', 0),
  ],
};
