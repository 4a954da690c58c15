/**
 * What `cctap report` asks with once it has parsed its flags: the checks of its options and the period reports,
 * with the store's light entry (no engine, no client). Loaded lazily so `--help` and flag errors answer without
 * it; the other reports come from @cctap/reports when asked for, and how the answers are shown is
 * report-render.ts, loaded while a running `up` computes them.
 */
export {
  checkDimension,
  checkOrder,
  checkSessionHours,
  checkWeekDay,
  machineTimeZone,
  periodReport,
  ReportOptionError,
} from '@cctap/reports/period';
export { isUnknownTable, StoreFlagError, StoreUnavailableError, DEFAULT_DATA_DIR } from '@cctap/store/light';
