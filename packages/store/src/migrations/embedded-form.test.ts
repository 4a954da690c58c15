/**
 * The embedded engine's form of the DDL (embedded-form.ts) on the real engine: its tables remove the parts a
 * merge replaced within seconds, and a store created before gets the same settings from migration 015.
 */
import { describe, expect, it } from 'vitest';
import { openTempStore, type TempStore } from '../testing/temp-store.js';
import { embeddedForm, PROMPT_CLEANUP } from './embedded-form.js';
import { MIGRATIONS } from './all.js';
import { allStatements, migrate } from './migrate.js';

async function withStore(migrated: boolean, body: (store: TempStore) => Promise<void>): Promise<void> {
  const store = await openTempStore('cctap-embedded-form-', { migrated });
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

/** Each MergeTree table's CREATE as the engine keeps it (store_identity, one row never merged, is not the migrations'). */
const mergeTreeTables = (store: TempStore) =>
  store.query<{ name: string; create: string }>(
    `SELECT name, create_table_query AS create FROM system.tables
     WHERE database = currentDatabase() AND engine LIKE '%MergeTree' AND name != 'store_identity' ORDER BY name`,
  );

const TABLES = ['alerts', 'derived', 'events', 'invalid_events', 'price_syncs', 'prices', 'schema_migrations', 'usage'];

describe('embeddedForm', () => {
  it("adds the settings to a MergeTree table's own SETTINGS clause, or gives it one; other statements stay as written", () => {
    expect(embeddedForm('CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = MergeTree ORDER BY a')).toBe(
      `CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = MergeTree ORDER BY a\n    SETTINGS ${PROMPT_CLEANUP}`,
    );
    expect(
      embeddedForm(
        'CREATE TABLE t (a UInt8, s String DEFAULT f(1)) ENGINE = ReplacingMergeTree(v) ORDER BY a SETTINGS x = 1\n',
      ),
    ).toBe(
      `CREATE TABLE t (a UInt8, s String DEFAULT f(1)) ENGINE = ReplacingMergeTree(v) ORDER BY a SETTINGS x = 1, ${PROMPT_CLEANUP}`,
    );
    for (const sql of ['CREATE OR REPLACE VIEW v AS SELECT 1 SETTINGS a = 1', 'ALTER TABLE t ADD COLUMN b UInt8'])
      expect(embeddedForm(sql)).toBe(sql);
  });
});

describe('a migrated embedded store', () => {
  it('removes the parts a merge replaced within seconds, so the next process to open it does not load them again', async () => {
    await withStore(true, async (store) => {
      const tables = await mergeTreeTables(store);
      expect(tables.map((t) => t.name)).toEqual(TABLES);
      for (const t of tables) expect(t.create, t.name).toContain(PROMPT_CLEANUP);

      // Four inserts make four parts of one partition; the merge leaves them outdated beside the merged one.
      for (let i = 0; i < 4; i++) await store.command(`INSERT INTO prices (generation, model) VALUES (7, 'm${i}')`);
      await store.command('OPTIMIZE TABLE prices PARTITION 7 FINAL');
      const outdated = async () =>
        (
          await store.query<{ n: number }>(
            `SELECT count() AS n FROM system.parts
             WHERE database = currentDatabase() AND table = 'prices' AND partition = '7' AND NOT active`,
          )
        )[0]!.n;
      expect(await outdated()).toBeGreaterThan(0);
      // Without the settings the engine cleans up 30-40 s later (after more when it has nothing else to do).
      const started = Date.now();
      while ((await outdated()) > 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 100));
      expect(await outdated()).toBe(0);
    });
  });

  it('created before the embedded form, gets the settings from migration 015', async () => {
    await withStore(false, async (store) => {
      // The statements as a store created by an earlier version ran them (each table without the settings),
      // and the migrations it recorded.
      for (const sql of allStatements()) await store.command(sql);
      const before = MIGRATIONS.filter((m) => !m.embeddedCatchUp);
      await store.insert(
        'schema_migrations',
        before.map((m) => ({ version: m.version, name: m.name, settings: '{}' })),
      );
      expect((await mergeTreeTables(store)).filter((t) => t.create.includes(PROMPT_CLEANUP))).toEqual([]);
      await migrate(store);
      const tables = await mergeTreeTables(store);
      expect(tables.map((t) => t.name)).toEqual(TABLES);
      for (const t of tables) expect(t.create, t.name).toContain(PROMPT_CLEANUP);
    });
  });
});
