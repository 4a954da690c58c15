/**
 * Cluster mode: the DDL of the migrations, rewritten for a replicated ClickHouse cluster.
 *
 * One source of truth: the numbered migrations are written once, for a single server, and this transform turns
 * each statement into its cluster form when the store is migrated with a cluster name (`cctap migrate --cluster`,
 * the sink's `cluster` option):
 *   - every DDL statement carries `ON CLUSTER <name>`, so one run changes every replica (distributed DDL,
 *     through Keeper's queue);
 *   - `MergeTree` / `ReplacingMergeTree(v)` tables become `ReplicatedMergeTree` / `ReplicatedReplacingMergeTree`
 *     with the Keeper path `/clickhouse/tables/{shard}/{database}/{table}` and replica `{replica}` (macros of
 *     each server's config.d, deploy/clickhouse/cluster/);
 *   - `non_replicated_deduplication_window` (the insert-retry dedup of a single server) becomes
 *     `replicated_deduplication_window`: with a Replicated table the block ids of inserts (the sink's
 *     `insert_deduplication_token`) are kept in Keeper per partition and shared by every replica, so a flush
 *     retried against the other replica is dropped too, as long as the token is the same: it is, the sink
 *     derives it from the table and the message ids alone (store/insert-rows.ts dedupToken).
 *
 * A statement of a shape this transform does not know is refused (ClusterDdlError), not passed through: a
 * migration that silently created a local table on one replica would split the data.
 */

/** The Keeper path and replica name of every replicated table: one table per shard, one replica per server. */
export const REPLICA_PATH = `'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'`;

export class ClusterDdlError extends Error {
  override readonly name = 'ClusterDdlError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A cluster name as it may appear unquoted after ON CLUSTER (the names of remote_servers are identifiers). */
export function checkClusterName(cluster: string): string {
  if (!NAME.test(cluster)) throw new ClusterDdlError(`a cluster name is letters, digits and _, got '${cluster}'`);
  return cluster;
}

/** `ENGINE = [Replacing]MergeTree[(args)]` -> the Replicated engine with the Keeper path in front of the args. */
function replicatedEngine(sql: string): string {
  const engine = /ENGINE\s*=\s*(ReplacingMergeTree|MergeTree)\b(\(([^()]*)\))?/;
  const m = engine.exec(sql);
  if (!m) throw new ClusterDdlError(`no MergeTree engine to replicate in: ${sql.slice(0, 80)}`);
  const args = m[3]?.trim() ? `${REPLICA_PATH}, ${m[3].trim()}` : REPLICA_PATH;
  return sql
    .replace(engine, `ENGINE = Replicated${m[1]}(${args})`)
    .replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
}

/** Each DDL form the migrations use: what comes before the name, and what the statement does to tables. */
const FORMS: { head: RegExp; table: boolean }[] = [
  { head: /^(CREATE TABLE IF NOT EXISTS) ([A-Za-z_][A-Za-z0-9_]*)(?=\s*\()/, table: true },
  { head: /^(CREATE (?:OR REPLACE )?VIEW(?: IF NOT EXISTS)?) ([A-Za-z_][A-Za-z0-9_]*)(?=\s+AS\b)/, table: false },
  { head: /^(CREATE MATERIALIZED VIEW IF NOT EXISTS) ([A-Za-z_][A-Za-z0-9_]*)(?=\s+TO\b)/, table: false },
  { head: /^(ALTER TABLE) ([A-Za-z_][A-Za-z0-9_]*)(?=\s)/, table: false },
  { head: /^(DROP (?:TABLE|VIEW) IF EXISTS) ([A-Za-z_][A-Za-z0-9_]*)(?=\s*$)/, table: false },
];

/** One migration statement in its cluster form (see the header). */
export function onCluster(sql: string, cluster: string): string {
  const name = checkClusterName(cluster);
  const text = sql.trim();
  for (const form of FORMS) {
    if (!form.head.test(text)) continue;
    const clustered = text.replace(form.head, `$1 $2 ON CLUSTER ${name}`);
    return form.table ? replicatedEngine(clustered) : clustered;
  }
  throw new ClusterDdlError(`no cluster form for this statement: ${text.slice(0, 80)}`);
}
