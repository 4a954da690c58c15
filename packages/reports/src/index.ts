/**
 * @cctap/reports: the report queries over a `Store` (`cctap report`, the status line, `up`'s summary). They return
 * data; rendering for a terminal lives with the command.
 */
export { storedBookVersion, priceBookLine } from './price-book-version.js';
export {
  periodReport,
  periodReportJson,
  PERIOD_KEY_FIELD,
  type PeriodKind,
  type PeriodReport,
  type PeriodRow,
} from './period-report.js';
export { blocksReport, type BlocksReport } from './blocks-report.js';
export { sessionDetails, type SessionDetail, type SessionSummary } from './session-detail.js';
export { sessionEntries, type SessionEntry, type SessionEntries } from './session-entries.js';
export { buildBlocks, type BlockEntry, type SessionBlock } from './session-blocks.js';
export {
  viewBlocks,
  tokenLimitOf,
  tokenLimitStatus,
  checkTokenLimit,
  WARNING_SHARE,
  type BlocksView,
  type TokenLimitStatus,
} from './blocks-view.js';
export { runSql } from './sql-query.js';
export { type UsageTotals, type ModelBreakdown, type TokenSums } from './usage-totals.js';
export {
  DIMENSIONS,
  ReportOptionError,
  checkDimension,
  checkWeekDay,
  checkOrder,
  checkSessionHours,
  checkTimeZone,
  machineTimeZone,
  parseDay,
  type Dimension,
  type ReportOptions,
} from './options.js';
