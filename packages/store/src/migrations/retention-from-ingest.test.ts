/**
 * Migration 012 on a store made before it (TTLs from each row's own time, usage with one) and on one made
 * with retention 0 (no TTL at all): events and derived expire from ingested_at, usage never; the statements
 * run again without error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from './all.js';
import { migrate } from './migrate.js';
import { DEFAULT_RETENTION } from './migration.js';
import { migration as m012 } from './012-retention-from-ingest.js';
import { openTempStore, type TempStore } from '../testing/temp-store.js';

let store: TempStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

async function ttlOf(s: TempStore): Promise<Record<string, string>> {
  const rows = await s.query<{ name: string; engine_full: string }>(
    "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN ('events', 'derived', 'usage')",
  );
  return Object.fromEntries(rows.map((r) => [r.name, /TTL (.*?)(?: SETTINGS|$)/.exec(r.engine_full)?.[1] ?? 'none']));
}

describe('migration 012: retention from ingest', () => {
  it('moves the TTLs of a store made before it to ingested_at and takes usage off TTL', async () => {
    store = await openTempStore('cctap-m012-', { migrated: false });
    await migrate(
      store,
      { eventsTtlDays: 400, usageTtlDays: 1825, invalidTtlDays: 30 },
      MIGRATIONS.filter((m) => m.version < 12),
    );
    expect(await ttlOf(store)).toEqual({
      events: 'toDateTime(ts) + toIntervalDay(400)',
      derived: 'toDateTime(ts) + toIntervalDay(400)',
      usage: 'toDateTime(ts) + toIntervalDay(1825)',
    });
    await migrate(store, DEFAULT_RETENTION);
    expect(await ttlOf(store)).toEqual({
      events: 'toDateTime(ingested_at) + toIntervalDay(400)',
      derived: 'toDateTime(ingested_at) + toIntervalDay(400)',
      usage: 'none',
    });
    for (const sql of m012.statements(DEFAULT_RETENTION)) await store.command(sql);
    expect((await ttlOf(store)).usage).toBe('none');
  });

  it('keeps forever with retention 0, on tables created without a TTL', async () => {
    store = await openTempStore('cctap-m012-zero-', { migrated: false });
    await migrate(store, { eventsTtlDays: 0, usageTtlDays: 0, invalidTtlDays: 0 });
    expect(await ttlOf(store)).toEqual({ events: 'none', derived: 'none', usage: 'none' });
  });
});
