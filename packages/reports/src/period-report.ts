/**
 * `cctap report daily|weekly|monthly|session`: deduplicated usage grouped by a period (or session), optionally
 * by one dimension, with per-model breakdowns. The JSON uses ccusage's field names so its scripts keep working:
 * `{ daily: [{ date, inputTokens, …, totalCost, modelsUsed, modelBreakdowns }], totals }` (weekly: `week`,
 * monthly: `month`, session: `sessions[].sessionId/lastActivity/projectPath`). With `--by`, each row also
 * carries the dimension, e.g. `"project": "/home/me/app"`. Each row also has `period` (ccusage 20's name for the
 * group key), so scripts written for either generation find their field.
 */
import type { Store } from '@cctap/store';
import {
  DIMENSION_COLUMN,
  dayWindow,
  ReportOptionError,
  WEEK_DAYS,
  type Dimension,
  type ReportOptions,
} from './options.js';
import { storedBookVersion } from './price-book-version.js';
import { responsesSql } from '@cctap/store/light';
import { denialsBySession } from './session-denials.js';
import { sessionProjectClause } from './session-project.js';
import { sumBreakdowns, toBreakdown, type ModelBreakdown, type ModelRow, type UsageTotals } from './usage-totals.js';

export type PeriodKind = 'daily' | 'weekly' | 'monthly' | 'session';

const KEY_FIELD = { daily: 'date', weekly: 'week', monthly: 'month', session: 'sessionId' } as const;
const LIST_FIELD = { daily: 'daily', weekly: 'weekly', monthly: 'monthly', session: 'sessions' } as const;

export type PeriodRow = UsageTotals & {
  modelsUsed: string[];
  modelBreakdowns: ModelBreakdown[];
  [key: string]: unknown;
};

export interface PeriodReport {
  kind: PeriodKind;
  by: Dimension | null;
  /** Rows grouped by the session's project (`--instances`); each row has `project`. */
  instances: boolean;
  tz: string;
  rows: PeriodRow[];
  totals: UsageTotals;
  /** Version of the price book the costs come from; null when none was synced (everything unpriced). */
  priceBook: string | null;
}

/** The group key of a period report as SQL over `ts` (params `tz`, and `sow` for weeks); also the activity report's. */
export function periodExpr(kind: PeriodKind): string {
  switch (kind) {
    case 'daily':
      return 'toString(toDate(ts, {tz:String}))';
    case 'weekly':
      // Any first day, as ccusage: back from the day to the last one whose ISO weekday is {sow} (Monday 1 … Sunday 7).
      return 'toString(subtractDays(toDate(ts, {tz:String}), (toDayOfWeek(toDate(ts, {tz:String})) + 7 - {sow:UInt8}) % 7))';
    case 'monthly':
      return "formatDateTime(ts, '%Y-%m', {tz:String})";
    case 'session':
      return 'session_id';
  }
}

interface GroupRow extends ModelRow {
  period: string;
  dim: string;
  last_ts: string;
  project_path: string;
}

export async function periodReport(store: Store, kind: PeriodKind, opts: ReportOptions = {}): Promise<PeriodReport> {
  if (opts.by && opts.instances) throw new ReportOptionError('--instances groups by project already; leave out --by');
  const win = dayWindow(opts);
  const sp = sessionProjectClause(opts, kind === 'session');
  const dim = opts.instances ? 'session_project' : opts.by ? DIMENSION_COLUMN[opts.by] : "''";
  const sow = WEEK_DAYS.indexOf(opts.startOfWeek ?? 'monday') || 7;
  const params = { ...win.params, ...sp.params, sow };
  const sql = `
    SELECT ${periodExpr(kind)} AS period, ${dim} AS dim, model,
      sum(input_tokens) AS input, sum(output_tokens) AS output,
      sum(cache_creation_tokens) AS cache_creation, sum(cache_read_tokens) AS cache_read,
      sum(total_tokens) AS total,
      -- Decimal sum: exact and independent of the order parallel aggregation adds rows in (a Float64 sum
      -- wobbles in the last bits from run to run, and a report must give the same number every time).
      toFloat64(sumIf(toDecimal128(ifNull(cost_usd, 0), 12), NOT unpriced)) AS cost,
      countIf(unpriced) AS unpriced_responses, count() AS responses,
      formatDateTime(max(ts), '%Y-%m-%d', {tz:String}) AS last_ts,
      ${kind === 'session' ? 'any(session_project)' : "''"} AS project_path
    FROM (${responsesSql(win.prefilter || undefined)}) AS r ${sp.join}
    WHERE ${win.where} AND ${sp.where}
    GROUP BY period, dim, model
    ORDER BY period, dim, model`;
  const [rows, priceBook, denials] = await Promise.all([
    store.query<GroupRow>(sql, params, { reusable: true }),
    storedBookVersion(store),
    kind === 'session' ? denialsBySession(store, win.where, win.params) : null,
  ]);

  const groups = new Map<
    string,
    { period: string; dim: string; items: ModelBreakdown[]; unpriced: Set<string>; last: string; project: string }
  >();
  const allItems: ModelBreakdown[] = [];
  const allUnpriced = new Set<string>();
  for (const r of rows) {
    const key = `${r.period}\u001f${r.dim}`;
    let g = groups.get(key);
    if (!g) {
      g = { period: r.period, dim: r.dim, items: [], unpriced: new Set(), last: r.last_ts, project: r.project_path };
      groups.set(key, g);
    }
    const b = toBreakdown(r);
    g.items.push(b);
    allItems.push(b);
    if (Number(r.unpriced_responses) > 0) {
      g.unpriced.add(r.model);
      allUnpriced.add(r.model);
    }
    if (r.last_ts > g.last) {
      g.last = r.last_ts;
      g.project = r.project_path;
    }
  }

  const out: PeriodRow[] = [];
  for (const g of groups.values()) {
    const row: PeriodRow = {
      [KEY_FIELD[kind]]: g.period,
      // ccusage 20 names the group key `period` in every report; 18/19 used date/week/month/sessionId.
      period: g.period,
      ...(opts.by ? { [opts.by]: g.dim } : opts.instances ? { project: g.dim } : {}),
      ...sumBreakdowns(g.items, g.unpriced),
      modelsUsed: g.items.map((b) => b.modelName),
      modelBreakdowns: g.items,
    };
    if (kind === 'session') {
      row.lastActivity = g.last;
      row.projectPath = g.project;
      // Not a ccusage field: denied tool calls by kind (Claude Code 2.1.193+), {} when none.
      row.denials = denials?.get(g.period) ?? {};
    }
    out.push(row);
  }
  orderRows(kind, out, opts.order);
  return {
    kind,
    by: opts.by ?? null,
    instances: opts.instances === true,
    tz: win.params.tz as string,
    rows: out,
    totals: sumBreakdowns(allItems, allUnpriced),
    priceBook,
  };
}

/**
 * ccusage's order: periods oldest first (`--order desc`: newest first); sessions by cost, highest first
 * (`--order asc`: lowest first), unpriced sessions after priced ones, then by last activity.
 */
function orderRows(kind: PeriodKind, rows: PeriodRow[], order: ReportOptions['order']): void {
  if (kind === 'session') {
    const cost = (r: PeriodRow) => r.totalCost ?? -1;
    const sign = order === 'asc' ? 1 : -1;
    rows.sort((a, b) => sign * (cost(a) - cost(b)) || String(b.lastActivity).localeCompare(String(a.lastActivity)));
  } else if (order === 'desc') rows.reverse();
}

/** ccusage-shaped JSON: `{ daily: [...], totals, priceBook }` (or weekly / monthly / sessions). */
export function periodReportJson(r: PeriodReport): Record<string, unknown> {
  const t = { ...r.totals } as Record<string, unknown>;
  if (r.instances) {
    // ccusage `daily --instances --json`: `{ projects: { <project>: [rows] }, totals }`.
    // A Map, not an object literal: a project named `constructor` or `__proto__` would find Object.prototype's.
    const projects = new Map<string, PeriodRow[]>();
    for (const row of r.rows) {
      const name = String(row.project);
      const list = projects.get(name);
      if (list) list.push(row);
      else projects.set(name, [row]);
    }
    return { projects: Object.fromEntries(projects), totals: t, priceBook: r.priceBook };
  }
  return { [LIST_FIELD[r.kind]]: r.rows, totals: t, priceBook: r.priceBook };
}

export { KEY_FIELD as PERIOD_KEY_FIELD };
