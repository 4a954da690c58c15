/**
 * @cctap/store: the ClickHouse store (a server, or the embedded engine in a worker thread), its migrations, the
 * price table it prices with, and the `usage_responses` view text every report reads through.
 */
export { openStore, DEFAULT_DATA_DIR, type Store, type StoreOptions, type QueryOptions } from './store/open-store.js';
export {
  StoreUnavailableError,
  StoreResourceError,
  StoreQueryError,
  StoreBusyError,
  classifyStoreError,
  isUnknownTable,
} from './store/errors.js';
export { insertRows, dedupToken, chunkByMonth } from './store/insert-rows.js';
export { storeIdentity } from './store/store-identity.js';
export { storeOptionsFrom, StoreFlagError, type StoreEnv } from './store/store-flags.js';
export { readOnlyStatement } from './store/read-only-sql.js';
export { toClickHouseTime } from './store/clickhouse-time.js';
export {
  migrate,
  appliedMigrations,
  allStatements,
  retentionFromEnv,
  MIGRATIONS,
  DEFAULT_RETENTION,
  type Migration,
  type RetentionSettings,
  type MigrateResult,
  type MigrateOptions,
} from './migrations/index.js';
export { onCluster, ClusterDdlError, REPLICA_PATH } from './cluster/on-cluster.js';
export { backupStore, restoreStore, BackupError, type BackupTarget } from './backup/backup.js';
export { syncPrices, type PriceSyncResult } from './prices/price-sync.js';
export {
  responsesSql,
  CURRENT_PRICES_SQL,
  RESPONSE_ENTRY_COLUMNS,
  type ResponseEntryRow,
} from './views/responses-sql.js';
