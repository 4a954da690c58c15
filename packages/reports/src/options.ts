/** What every usage report accepts, and the checks that turn bad input into a clear error. */

export const DIMENSIONS = ['user', 'host', 'project', 'branch', 'model'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Column of `usage` behind each `--by` value. */
export const DIMENSION_COLUMN: Record<Dimension, string> = {
  user: 'user',
  host: 'host',
  project: 'project',
  branch: 'git_branch',
  model: 'model',
};

/** ccusage's `--start-of-week` values. */
export const WEEK_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type WeekDay = (typeof WEEK_DAYS)[number];

const ORDERS = ['asc', 'desc'] as const;
export type Order = (typeof ORDERS)[number];

export interface ReportOptions {
  by?: Dimension;
  /** Inclusive first day, YYYY-MM-DD or YYYYMMDD, in `tz`. */
  since?: string;
  /** Inclusive last day, YYYY-MM-DD or YYYYMMDD, in `tz`. */
  until?: string;
  /** IANA zone for day/week/month boundaries; default UTC here (the command defaults to the machine's zone). */
  tz?: string;
  /** Weekly reports: first day of the week; default monday (ccusage 20's `weekly`). */
  startOfWeek?: WeekDay;
  /** Only sessions of this project (session-project.ts: the full path, its last part, or Claude Code's folder name). */
  project?: string;
  /** Group by the session's project (ccusage's `--instances`); the rows carry `project`. */
  instances?: boolean;
  /** Rows by period (or block start) oldest first (`asc`, the default) or newest first; sessions by cost,
   *  highest first by default, as ccusage. */
  order?: Order;
  /** Blocks only: block length in hours (default 5). */
  sessionHours?: number;
}

export class ReportOptionError extends Error {
  override readonly name = 'ReportOptionError';
}

/** YYYY-MM-DD from YYYY-MM-DD or YYYYMMDD; throws ReportOptionError otherwise. */
export function parseDay(value: string, flag: string): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value);
  if (!m) throw new ReportOptionError(`${flag} must be a date like 2026-02-12 or 20260212, got '${value}'`);
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  if (Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    throw new ReportOptionError(`${flag} is not a calendar date: '${value}'`);
  }
  return day;
}

export function checkTimeZone(tz: string): string {
  // Valid in every build of Node; asking Intl would set up ICU first, some 25 ms before a report can ask anything.
  if (tz === 'UTC') return tz;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ReportOptionError(`--tz must be an IANA time zone such as UTC or Europe/Berlin, got '${tz}'`);
  }
  return tz;
}

/** The zone of this machine, ccusage's default for day boundaries. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function checkWeekDay(value: string): WeekDay {
  const v = value.toLowerCase();
  if ((WEEK_DAYS as readonly string[]).includes(v)) return v as WeekDay;
  throw new ReportOptionError(`--start-of-week must be one of ${WEEK_DAYS.join(', ')}, got '${value}'`);
}

export function checkOrder(value: string): Order {
  if ((ORDERS as readonly string[]).includes(value)) return value as Order;
  throw new ReportOptionError(`--order must be asc or desc, got '${value}'`);
}

export function checkSessionHours(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 24 * 7)
    throw new ReportOptionError(`--session-length must be a positive number of hours, got '${value}'`);
  return n;
}

export function checkDimension(value: string): Dimension {
  if ((DIMENSIONS as readonly string[]).includes(value)) return value as Dimension;
  throw new ReportOptionError(`--by must be one of ${DIMENSIONS.join(', ')}, got '${value}'`);
}

/** The ts window condition on deduplicated responses, with its query parameters. */
export function dayWindow(opts: ReportOptions): { where: string; prefilter: string; params: Record<string, unknown> } {
  const tz = checkTimeZone(opts.tz ?? 'UTC');
  const params: Record<string, unknown> = { tz };
  const where: string[] = [];
  const pre: string[] = [];
  if (opts.since) {
    params.since = parseDay(opts.since, '--since');
    where.push('toDate(ts, {tz:String}) >= {since:Date}');
    // Raw lines of one response are seconds apart; a day of margin keeps all of them for the max rule.
    pre.push("usage.ts >= toDateTime64({since:Date}, 3, 'UTC') - INTERVAL 2 DAY");
  }
  if (opts.until) {
    params.until = parseDay(opts.until, '--until');
    where.push('toDate(ts, {tz:String}) <= {until:Date}');
    pre.push("usage.ts < toDateTime64({until:Date}, 3, 'UTC') + INTERVAL 3 DAY");
  }
  return { where: where.length ? where.join(' AND ') : '1', prefilter: pre.join(' AND '), params };
}
