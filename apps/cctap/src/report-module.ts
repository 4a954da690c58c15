/**
 * What `cctap report` needs once it has parsed its flags: the report queries, the store and the terminal
 * rendering, in one module loaded lazily so `--help` and flag errors answer without loading the engine.
 */
export {
  activityReport,
  activityReportJson,
  blocksReport,
  budgetReport,
  checkActivityPeriod,
  checkDimension,
  checkOrder,
  checkSessionHours,
  checkTokenLimit,
  checkWeekDay,
  machineTimeZone,
  periodReport,
  periodReportJson,
  priceBookLine,
  ReportOptionError,
  sessionDetails,
  sessionEntries,
  tokenLimitOf,
  tokenLimitStatus,
  viewBlocks,
} from '@cctap/reports';
export {
  isUnknownTable,
  openStore,
  syncPrices,
  StoreFlagError,
  StoreQueryError,
  StoreUnavailableError,
  DEFAULT_DATA_DIR,
} from '@cctap/store';
export {
  renderActiveBlock,
  renderBlocksReport,
  renderPeriodReport,
  renderSessionEntries,
  type RenderOptions,
} from './render/render-report.js';
export { renderSessionDetails } from './render/session-details.js';
export { renderActivityReport } from './render/render-activity.js';
export { renderBudgetReport } from './render/budget-table.js';
export { tableStyle } from './render/terminal-style.js';
