/**
 * Cluster mode of the migrations (cluster/on-cluster.ts): every statement a migration run executes, in its
 * ON CLUSTER / Replicated form, goes through ClickHouse's own parser on the embedded engine (`formatQuery`
 * parses a statement without executing it, distributed DDL included). What cannot be run here: the
 * statements themselves, which need Keeper and the cluster's servers (docs/deploy.md says so).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterDdlError, type Store } from '@cctap/store';
import { allStatements, dedupToken, onCluster, REPLICA_PATH } from '@cctap/store/internal';
import { openTempStore } from '@cctap/store/testing';

let store: Store;
beforeAll(async () => {
  store = await openTempStore('cctap-cluster-ddl-', { migrated: false });
}, 60_000);
afterAll(() => store?.close());

const CLUSTER = 'cctap';
const single = allStatements();
const clustered = allStatements(undefined, { cluster: CLUSTER });

/** The statement as ClickHouse's parser reads it back, or the parser's error. */
async function parsed(sql: string): Promise<string> {
  const [row] = await store.query<{ f: string }>('SELECT formatQuery({sql:String}) AS f', { sql });
  return row!.f;
}

describe('cluster-mode DDL of the migrations', () => {
  it('is the same statements, one for one, transformed', () => {
    expect(clustered.length).toBe(single.length);
    expect(single.length).toBeGreaterThan(20);
  });

  it('the parser refuses a broken statement (the check below can fail)', async () => {
    await expect(parsed(`CREATE TABLE x ON CLUSTER ${CLUSTER} (a UInt8 ENGINE = MergeTree ORDER BY a`)).rejects.toThrow(
      /Syntax error/,
    );
  });

  it.each(clustered.map((sql, i) => ({ i, head: sql.split('\n')[0]!.slice(0, 70), sql })))(
    '$i: $head',
    async ({ sql }) => {
      const text = await parsed(sql);
      expect(text).toContain(`ON CLUSTER ${CLUSTER}`);
      if (/^CREATE TABLE/.test(sql)) {
        expect(text).toMatch(
          /ENGINE = Replicated(Replacing)?MergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'/,
        );
        expect(text).not.toContain('non_replicated_deduplication_window');
      }
    },
  );

  it('ReplacingMergeTree keeps its version column after the Keeper path; the dedup window becomes replicated', () => {
    const usage = clustered.find((s) => /CREATE TABLE IF NOT EXISTS usage ON CLUSTER/.test(s))!;
    expect(usage).toContain(`ENGINE = ReplicatedReplacingMergeTree(${REPLICA_PATH}, version)`);
    expect(usage).toContain('SETTINGS replicated_deduplication_window = 1000');
    const migrations = clustered[0]!;
    expect(migrations).toContain(`schema_migrations ON CLUSTER ${CLUSTER}`);
    expect(migrations).toContain(`ENGINE = ReplicatedReplacingMergeTree(${REPLICA_PATH})`);
  });

  it('a statement of an unknown shape, or a cluster name that is no identifier, is refused', () => {
    expect(() => onCluster('INSERT INTO usage SELECT 1', CLUSTER)).toThrow(ClusterDdlError);
    expect(() => onCluster('CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = Memory', CLUSTER)).toThrow(ClusterDdlError);
    expect(() => onCluster('ALTER TABLE usage DELETE WHERE 1', 'a b')).toThrow(ClusterDdlError);
  });

  it("the sink's insert tokens are a function of the table and the flush's message ids alone (the same on any replica)", () => {
    const ids = ['cctap.events.h1:42', 'cctap.events.h1:43'];
    expect(dedupToken('usage', ids)).toBe(dedupToken('usage', [...ids]));
    expect(dedupToken('usage', ids)).not.toBe(dedupToken('events', ids));
    expect(dedupToken('usage', ids)).toMatch(/^usage-[0-9a-f]{40}$/);
  });
});
