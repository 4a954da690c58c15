/**
 * Applies the numbered migrations in order and records each in `schema_migrations`. Every statement is
 * idempotent (IF NOT EXISTS) and the record table is a ReplacingMergeTree, so a second run, or two runs
 * racing each other, changes nothing.
 *
 * Then the usage_responses and retractions views are (re)defined from its one definition (reports/responses-sql.ts), after the
 * last migration: the definition reads columns and tables that several migrations add, so no numbered
 * migration can create it on a fresh store, and a store always reads with the definition of the code it runs.
 */
import type { Store } from '../store/open-store.js';
import { DEFAULT_RETENTION, type Migration, type RetentionSettings } from './migration.js';
import { MIGRATIONS } from './all.js';
import { responsesSql } from '../views/responses-sql.js';
import { activityViews } from '../views/activity-views.js';
import { rangeViews } from '../views/range-views.js';
import { onCluster } from '../cluster/on-cluster.js';

export interface MigrateOptions {
  /**
   * Cluster mode: every statement (the record table's too) in its replicated ON CLUSTER form (cluster/on-cluster.ts).
   * Needs a server whose config.d names this cluster in remote_servers and has Keeper and macros.
   */
  cluster?: string | undefined;
}

export interface MigrateResult {
  applied: { version: number; name: string }[];
  alreadyApplied: number;
}

const RECORD_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32,
  name String,
  settings String,
  applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree ORDER BY version`;

async function appliedMigrations(
  store: Store,
  opts: MigrateOptions = {},
): Promise<{ version: number; name: string }[]> {
  await store.command(opts.cluster ? onCluster(RECORD_TABLE, opts.cluster) : RECORD_TABLE);
  return store.query<{ version: number; name: string }>(
    'SELECT version, name FROM schema_migrations FINAL ORDER BY version',
  );
}

export async function migrate(
  store: Store,
  settings: RetentionSettings = DEFAULT_RETENTION,
  migrations: readonly Migration[] = MIGRATIONS,
  opts: MigrateOptions = {},
): Promise<MigrateResult> {
  const done = new Set((await appliedMigrations(store, opts)).map((m) => m.version));
  const applied: MigrateResult['applied'] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    for (const sql of migrationStatements(m, settings, opts)) await store.command(sql);
    await store.insert('schema_migrations', [{ version: m.version, name: m.name, settings: JSON.stringify(settings) }]);
    applied.push({ version: m.version, name: m.name });
  }
  if (migrations === MIGRATIONS) for (const sql of finalViews(opts)) await store.command(sql);
  return { applied, alreadyApplied: done.size };
}

/** A migration's statements as this store runs them: as written, or in their cluster form. */
function migrationStatements(m: Migration, settings: RetentionSettings, opts: MigrateOptions = {}): string[] {
  const cluster = opts.cluster;
  return cluster ? m.statements(settings).map((sql) => onCluster(sql, cluster)) : m.statements(settings);
}

/** The views (re)defined after the last migration (see the header; range-views.ts for the dashboards'), in this store's form. */
function finalViews(opts: MigrateOptions = {}): string[] {
  const sql = [
    `CREATE OR REPLACE VIEW usage_responses AS ${responsesSql()}`,
    `CREATE OR REPLACE VIEW retractions AS ${responsesSql(undefined, 'only')}`,
    ...rangeViews(),
    ...activityViews(),
  ];
  const cluster = opts.cluster;
  return cluster ? sql.map((s) => onCluster(s, cluster)) : sql;
}

/** Every statement a migration run from scratch executes, in order (the record table first): for checks and docs. */
export function allStatements(settings: RetentionSettings = DEFAULT_RETENTION, opts: MigrateOptions = {}): string[] {
  const cluster = opts.cluster;
  return [
    cluster ? onCluster(RECORD_TABLE, cluster) : RECORD_TABLE,
    ...[...MIGRATIONS].sort((a, b) => a.version - b.version).flatMap((m) => migrationStatements(m, settings, opts)),
    ...finalViews(opts),
  ];
}

/** The environment as the application read it (the store never reads process.env itself). */
type Env = Readonly<Record<string, string | undefined>>;

function days(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${name} must be a whole number of days >= 0 (0 = keep forever), got '${raw}'`);
  return n;
}

/** Retention from CCTAP_EVENTS_TTL_DAYS and CCTAP_INVALID_TTL_DAYS (applied by the migrations); usage is kept forever. */
export function retentionFromEnv(env: Env): RetentionSettings {
  return {
    eventsTtlDays: days(env, 'CCTAP_EVENTS_TTL_DAYS', DEFAULT_RETENTION.eventsTtlDays),
    usageTtlDays: 0,
    invalidTtlDays: days(env, 'CCTAP_INVALID_TTL_DAYS', DEFAULT_RETENTION.invalidTtlDays),
  };
}
