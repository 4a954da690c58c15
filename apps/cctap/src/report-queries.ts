/**
 * What `cctap report` asks once it has parsed its flags: the checks of its options and the report queries, with
 * the store's light entry (no engine, no client). Loaded lazily so `--help` and flag errors answer without it;
 * how the answers are shown is report-render.ts, loaded while a running `up` computes them.
 */
export {
  activityReport,
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
  ReportOptionError,
  sessionDetails,
  sessionEntries,
} from '@cctap/reports';
export { isUnknownTable, StoreFlagError, StoreUnavailableError, DEFAULT_DATA_DIR } from '@cctap/store/light';
