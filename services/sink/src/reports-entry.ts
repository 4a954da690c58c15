/**
 * `@cctap/sink/reports`: the store, the migrations and the report queries without the sink service, so
 * `cctap report`, `cctap sql` and `cctap migrate` start without loading NATS, the kit or prom-client
 * (about 0.2 s of a command that should answer in well under a second).
 */
export { openStore, DEFAULT_DATA_DIR, type Store, type StoreOptions, type QueryOptions } from './store/open-store.js';
export { StoreUnavailableError, StoreQueryError, StoreBusyError } from './store/errors.js';
export { storeOptionsFrom, StoreFlagError, STORE_FLAGS_USAGE } from './store/store-flags.js';
export { migrate, retentionFromEnv, DEFAULT_RETENTION, type RetentionSettings } from './migrations/index.js';
export { syncPrices, type PriceSyncResult } from './prices/price-sync.js';
export { storedBookVersion, priceBookLine } from './reports/price-book-version.js';
export { periodReport, periodReportJson, type PeriodKind, type PeriodReport } from './reports/period-report.js';
export { blocksReport, type BlocksReport } from './reports/blocks-report.js';
export {
  sessionDetails,
  renderSessionDetails,
  type SessionDetail,
  type SessionSummary,
} from './reports/session-detail.js';
export {
  renderPeriodReport,
  renderBlocksReport,
  renderActiveBlock,
  renderSessionEntries,
  type RenderOptions,
} from './reports/render-report.js';
export { sessionEntries, type SessionEntries } from './reports/session-entries.js';
export { viewBlocks, tokenLimitOf, tokenLimitStatus, checkTokenLimit } from './reports/blocks-view.js';
export { tableStyle } from './reports/terminal-style.js';
export { runSql, renderSqlTable } from './reports/sql-query.js';
export {
  ReportOptionError,
  checkDimension,
  checkWeekDay,
  checkOrder,
  checkSessionHours,
  machineTimeZone,
  type ReportOptions,
} from './reports/options.js';
