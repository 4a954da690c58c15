/**
 * How `cctap report` shows its answers: the JSON shapes, the terminal tables and the views of blocks. Apart
 * from the queries (report-queries.ts) so that `cctap report` loads it while the store computes the answers
 * instead of before asking.
 */
export {
  activityReportJson,
  periodReportJson,
  priceBookLine,
  tokenLimitOf,
  tokenLimitStatus,
  viewBlocks,
} from '@cctap/reports';
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
