import type { Migration } from './migration.js';

/**
 * One host cannot replace another host's usage rows.
 *
 * The key of 002, (message_id, request_id, scope), is global on purpose: the same response seen twice on one
 * host (a resume copy in another session, a subagent replay in another file) must count once. But it was
 * also global across hosts, so a host that learned another host's message and request ids could publish a
 * line of the same response with a bigger token total, and the max rule (ReplacingMergeTree(version), and
 * argMax in the reports) would make that line replace the real one.
 *
 * The host joins the key, as the last column: rows of one host still merge exactly as before, rows of two
 * hosts never do. The host is the authenticated one (the validator rejects events whose host differs from
 * the subject their credential may publish). The cost of this choice: a response stored under two hosts
 * (one ~/.claude synced between two machines) counts once per host; a host cannot prove the other copy is
 * not its own, so counting it twice is the only rule a forger cannot exploit.
 *
 * ClickHouse extends a sorting key in place (metadata only, no rewrite) only with a column added by the
 * same ALTER and without a default, so the key column is a new `dedup_host` that the sink fills with the
 * host, not `host` itself. Rows stored before this migration keep '' there: they merge among themselves as
 * before, never with new rows; the reports group by `host` (reports/responses-sql.ts), so an old and a new
 * line of the same response on one host still count once. Re-running the statement changes nothing.
 */
export const migration: Migration = {
  version: 10,
  name: 'usage-host-key',
  statements: () => [
    `ALTER TABLE usage ADD COLUMN IF NOT EXISTS dedup_host String, MODIFY ORDER BY (message_id, request_id, scope, dedup_host)`,
  ],
};
