/**
 * `@cctap/reports/period`: the period reports (daily, weekly, monthly, session) and the checks of the options
 * every report takes, without the other reports: what `cctap report daily` loads before it can ask, a module
 * count that is most of its start when a running `up` answers.
 */
export { periodReport } from './period-report.js';
export {
  ReportOptionError,
  checkDimension,
  checkWeekDay,
  checkOrder,
  checkSessionHours,
  machineTimeZone,
} from './options.js';
