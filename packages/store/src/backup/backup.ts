/**
 * Backup and restore of the whole store with ClickHouse's own BACKUP / RESTORE: every table and view of the
 * store's database, its data parts and its schema (schema_migrations included, so a restored store is at the
 * migration it was backed up at; a later `cctap migrate` takes it on from there).
 *
 * Where the backup goes:
 * - embedded engine: `File('<dir>')`, a directory on this machine. The engine only writes File() backups
 *   under `backups.allowed_path`, a start-up setting: the store is opened for it with that directory
 *   (StoreOptions.backupDir), so nothing else can write files through the engine.
 * - server: `Disk('backups', '<name>')`, a name on the server's `backups` disk (deploy/clickhouse/config.d/
 *   backups.xml declares the disk and allows it): the server writes, not this machine.
 * - cluster: `ON CLUSTER <name>` on either statement; each replica's parts are backed up once (Keeper
 *   coordinates the replicas), and RESTORE recreates the Replicated tables on every replica.
 *
 * A restore goes into a store without tables only: RESTORE refuses to write into existing tables anyway, and a
 * half-restored store would be worse than an error that says what to do.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Store } from '../store/open-store.js';
import { checkClusterName } from '../cluster/on-cluster.js';

export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** A directory (embedded engine) or a name on the server's `backups` disk. */
export interface BackupTarget {
  /** The directory, or the name on the `backups` disk. */
  location: string;
  cluster?: string | undefined;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The backup engine clause for this store. */
function destination(store: Store, location: string): string {
  if (store.kind === 'embedded') return `File(${quote(resolve(location))})`;
  if (store.kind === 'server') {
    if (!/^[A-Za-z0-9._-]+$/.test(location))
      throw new BackupError(
        `on a server the backup is a name on its 'backups' disk (letters, digits, . _ -), got '${location}'`,
      );
    return `Disk('backups', ${quote(location)})`;
  }
  throw new BackupError('backup and restore open the store itself: stop `cctap up` first');
}

async function databaseOf(store: Store): Promise<string> {
  const [row] = await store.query<{ db: string }>('SELECT currentDatabase() AS db');
  return row!.db;
}

const onClusterOf = (cluster: string | undefined) => (cluster ? ` ON CLUSTER ${checkClusterName(cluster)}` : '');

/** Tables (and views) of the store's database. */
async function tableCount(store: Store, db: string): Promise<number> {
  const [row] = await store.query<{ n: number }>(
    'SELECT count() AS n FROM system.tables WHERE database = {db:String}',
    {
      db,
    },
  );
  return Number(row!.n);
}

export interface BackupResult {
  database: string;
  tables: number;
  /** Where it is, as the engine names it: File('…') or Disk('backups', '…'). */
  destination: string;
}

export async function backupStore(store: Store, target: BackupTarget): Promise<BackupResult> {
  const to = destination(store, target.location);
  const db = await databaseOf(store);
  const tables = await tableCount(store, db);
  if (tables === 0) throw new BackupError(`the store has no tables to back up (${store.location}); run cctap migrate`);
  await store.command(`BACKUP DATABASE ${db}${onClusterOf(target.cluster)} TO ${to}`);
  return { database: db, tables, destination: to };
}

export async function restoreStore(store: Store, target: BackupTarget): Promise<BackupResult> {
  const from = destination(store, target.location);
  if (store.kind === 'embedded' && !existsSync(join(resolve(target.location), '.backup')))
    throw new BackupError(`no backup in ${resolve(target.location)} (a cctap backup directory holds a .backup file)`);
  const db = await databaseOf(store);
  if ((await tableCount(store, db)) > 0)
    throw new BackupError(`the store already has tables (${store.location}); restore into an empty store`);
  // The database exists (default, or the URL's), so only its tables are restored into it.
  await store.command(
    `RESTORE DATABASE ${db}${onClusterOf(target.cluster)} FROM ${from} SETTINGS allow_non_empty_tables = false`,
  );
  return { database: db, tables: await tableCount(store, db), destination: from };
}
