/**
 * @cctap/reports: the report queries over a `Store` (`cctap report`, the status line, `up`'s summary). They return
 * data; rendering for a terminal lives with the command.
 */
export { priceBookLine } from './price-book-version.js';
export { periodReport, periodReportJson, PERIOD_KEY_FIELD, type PeriodReport } from './period-report.js';
export { blocksReport, type BlocksReport } from './blocks-report.js';
export {
  activityReport,
  activityReportJson,
  checkActivityPeriod,
  type ActivityFigures,
  type ActivityReport,
} from './activity-report.js';
export { sessionDetails, type SessionDetail, type SessionSummary } from './session-detail.js';
export { sessionEntries, type SessionEntries } from './session-entries.js';
export { viewBlocks, tokenLimitOf, tokenLimitStatus, checkTokenLimit, type TokenLimitStatus } from './blocks-view.js';
export { runSql } from './sql-query.js';
export { type ModelBreakdown } from './usage-totals.js';
export {
  ReportOptionError,
  checkDimension,
  checkWeekDay,
  checkOrder,
  checkSessionHours,
  machineTimeZone,
  type ReportOptions,
} from './options.js';
export { budgetReport, type BudgetReport, type BudgetRow } from './budgets/budget-report.js';
export {
  BUDGET_PERIODS,
  BUDGET_SCOPES,
  DEFAULT_FORECAST_AFTER,
  budgetSubject,
  type BudgetSpec,
} from './budgets/budget-spec.js';
export { isTimeZone, periodAt } from './budgets/calendar-period.js';
export {
  budgetStatus,
  forecastLine,
  formatUsd,
  reachedThresholds,
  thresholdLine,
  type BudgetStatus,
} from './budgets/budget-projection.js';
