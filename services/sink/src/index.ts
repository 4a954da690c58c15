/**
 * @cctap/sink: the ClickHouse side of cctap. The store (server or embedded), the migrations, the mapping of
 * contract events to rows, the sink service that consumes the streams, and the report queries.
 */
export { openStore, DEFAULT_DATA_DIR, type Store, type StoreOptions, type QueryOptions } from './store/open-store.js';
export { StoreUnavailableError, StoreQueryError, StoreBusyError } from './store/errors.js';
export { insertRows, dedupToken } from './store/insert-rows.js';
export { storeIdentity } from './store/store-identity.js';
export {
  migrate,
  appliedMigrations,
  retentionFromEnv,
  MIGRATIONS,
  DEFAULT_RETENTION,
  type RetentionSettings,
  type MigrateResult,
} from './migrations/index.js';
export { toEventRow, type EventRow } from './rows/event-row.js';
export { toUsageRows, tokenTotal, type UsageRow } from './rows/usage-row.js';
export { batchRows, type BatchRows } from './rows/batch-rows.js';
export { syncPrices, type PriceSyncResult } from './prices/price-sync.js';
export { storedBookVersion } from './reports/price-book-version.js';
export {
  periodReport,
  periodReportJson,
  type PeriodKind,
  type PeriodReport,
  type PeriodRow,
} from './reports/period-report.js';
export { blocksReport, type BlocksReport } from './reports/blocks-report.js';
export {
  sessionDetails,
  renderSessionDetails,
  type SessionDetail,
  type SessionSummary,
} from './reports/session-detail.js';
export { buildBlocks, type BlockEntry, type SessionBlock } from './reports/session-blocks.js';
export { renderPeriodReport, renderBlocksReport } from './reports/render-report.js';
export { runSql, renderSqlTable } from './reports/sql-query.js';
export {
  DIMENSIONS,
  ReportOptionError,
  checkDimension,
  type Dimension,
  type ReportOptions,
} from './reports/options.js';
export {
  createSink,
  SINK_CONSUMERS,
  type SinkOptions,
  type SinkService,
  type SinkHealthDetails,
  type SinkConsumer,
} from './service/create-sink.js';
export { storeOptionsFrom, StoreFlagError, STORE_FLAGS_USAGE } from './store/store-flags.js';
export { sinkConfigShape } from './service/sink-config.js';
export { jetStreamPending } from './service/jetstream-pending.js';
