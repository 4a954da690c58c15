/**
 * @cctap/store: the ClickHouse store (a server, or the embedded engine in a worker thread), its migrations, the
 * price table it prices with. The `usage_responses` view text every report reads through, and what a reader needs
 * without loading an engine, is in `@cctap/store/light`. What only the workspace's tests reach for is in
 * `@cctap/store/internal`; a temporary store for tests is `@cctap/store/testing`.
 */
export { openStore, type QueryOptions, type Store, type StoreOptions } from './store/open-store.js';
export { DEFAULT_DATA_DIR } from './store/default-data-dir.js';
export { StoreUnavailableError, StoreResourceError, StoreQueryError } from './store/errors.js';
export { insertRows } from './store/insert-rows.js';
export { storeIdentity } from './store/store-identity.js';
export { storeOptionsFrom, StoreFlagError, type StoreEnv } from './store/store-flags.js';
export { toClickHouseTime } from './store/clickhouse-time.js';
export { migrate, retentionFromEnv } from './migrations/index.js';
export { ClusterDdlError } from './cluster/on-cluster.js';
export { backupStore, restoreStore, BackupError } from './backup/backup.js';
export { syncPrices, type PriceSyncResult } from './prices/price-sync.js';
