/**
 * Applies the numbered migrations in order and records each in `schema_migrations`. Every statement is
 * idempotent (IF NOT EXISTS) and the record table is a ReplacingMergeTree, so a second run, or two runs
 * racing each other, changes nothing. Each statement runs in the store's form: as written for a server, with
 * ON CLUSTER and replicated engines for a cluster (cluster/on-cluster.ts), with the embedded engine's table
 * settings for the embedded store (embedded-form.ts).
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
import { embeddedForm } from './embedded-form.js';

export interface MigrateOptions {
  /**
   * Cluster mode: every statement (the record table's too) in its replicated ON CLUSTER form (cluster/on-cluster.ts).
   * Needs a server whose config.d names this cluster in remote_servers and has Keeper and macros.
   */
  cluster?: string | undefined;
}

export interface MigrateResult {
  /** `skipped`: an embedded-only migration this store records as applied without running it. */
  applied: { version: number; name: string; skipped?: true }[];
  alreadyApplied: number;
}

const RECORD_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32,
  name String,
  settings String,
  applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree ORDER BY version`;

/** How a statement is written for one store: for a cluster (on-cluster.ts), for the embedded engine (embedded-form.ts), or as written. */
type Form = (sql: string) => string;

function formOf(kind: Store['kind'], opts: MigrateOptions): Form {
  const cluster = opts.cluster;
  if (cluster) return (sql) => onCluster(sql, cluster);
  return kind === 'embedded' ? embeddedForm : (sql) => sql;
}

async function appliedMigrations(store: Store, form: Form): Promise<{ version: number; name: string }[]> {
  await store.command(form(RECORD_TABLE));
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
  const form = formOf(store.kind, opts);
  const done = new Set((await appliedMigrations(store, form)).map((m) => m.version));
  const applied: MigrateResult['applied'] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    const runs = !m.embeddedCatchUp || (store.kind === 'embedded' && done.size > 0);
    if (runs) for (const sql of m.statements(settings)) await store.command(form(sql));
    await store.insert('schema_migrations', [{ version: m.version, name: m.name, settings: JSON.stringify(settings) }]);
    applied.push(runs ? { version: m.version, name: m.name } : { version: m.version, name: m.name, skipped: true });
  }
  if (migrations === MIGRATIONS) for (const sql of finalViews()) await store.command(form(sql));
  return { applied, alreadyApplied: done.size };
}

/** The views (re)defined after the last migration (see the header; range-views.ts for the dashboards'). */
function finalViews(): string[] {
  return [
    `CREATE OR REPLACE VIEW usage_responses AS ${responsesSql()}`,
    `CREATE OR REPLACE VIEW retractions AS ${responsesSql(undefined, 'only')}`,
    ...rangeViews(),
    ...activityViews(),
  ];
}

/**
 * Every statement a migration run from scratch executes on a server, in order (the record table first): for
 * checks and docs. The embedded engine's catch-up migrations are not among them.
 */
export function allStatements(settings: RetentionSettings = DEFAULT_RETENTION, opts: MigrateOptions = {}): string[] {
  const form = formOf('server', opts);
  return [
    RECORD_TABLE,
    ...[...MIGRATIONS]
      .filter((m) => !m.embeddedCatchUp)
      .sort((a, b) => a.version - b.version)
      .flatMap((m) => m.statements(settings)),
    ...finalViews(),
  ].map(form);
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
