/**
 * The figures of the web page, each one aggregated in the store over a bounded time range: the page gets
 * sums per day, model or project, never raw rows, so it stays fast on years of history. Costs and tokens
 * come from the report functions (@cctap/reports), so the page and `cctap report` show the same numbers.
 */
import { machineTimeZone, periodReport, type PeriodReport } from '@cctap/reports';
import type { Store } from '@cctap/store';

export interface Figure {
  /** USD of the priced usage; null when there is usage and none of it has a price. */
  costUsd: number | null;
  tokens: number;
  unpricedModels: string[];
}

export interface Overview {
  tz: string;
  today: string;
  month: string;
  todayFigure: Figure;
  monthFigure: Figure;
}

export interface Series {
  name: string;
  /** One value per day of `days`: USD (0 where unpriced) or tokens. */
  cost: number[];
  tokens: number[];
}

export interface Charts {
  days: string[];
  byModel: Series[];
  byProject: Series[];
}

/** The local day (YYYY-MM-DD) of `ms` in `tz`. */
export function dayIn(tz: string, ms: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(ms),
  );
}

const figureOf = (r: PeriodReport): Figure => ({
  costUsd: r.totals.totalCost,
  tokens: r.totals.totalTokens,
  unpricedModels: r.totals.unpricedModels ?? [],
});

export async function overview(store: Store, now = Date.now(), tz = machineTimeZone()): Promise<Overview> {
  const today = dayIn(tz, now);
  // One query: the month's days; today is its last row, summed as `cctap report daily` sums it.
  const month = await periodReport(store, 'daily', { since: `${today.slice(0, 7)}-01`, until: today, tz });
  const day = month.rows.find((r) => r.date === today);
  const todayFigure: Figure = day
    ? { costUsd: day.totalCost, tokens: day.totalTokens, unpricedModels: day.unpricedModels ?? [] }
    : { costUsd: 0, tokens: 0, unpricedModels: [] };
  return { tz, today, month: today.slice(0, 7), todayFigure, monthFigure: figureOf(month) };
}

/** Every day from `first` to `last` (YYYY-MM-DD), inclusive. */
function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); ; t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    if (d > last) break;
    out.push(d);
  }
  return out;
}

/** Keeps the `top` largest series by cost and sums the rest into one "other" series. */
function topSeries(series: Map<string, Series>, top: number, days: number): Series[] {
  const total = (s: Series) => s.cost.reduce((a, b) => a + b, 0) || s.tokens.reduce((a, b) => a + b, 0) / 1e9;
  const sorted = [...series.values()].sort((a, b) => total(b) - total(a));
  if (sorted.length <= top) return sorted;
  const other: Series = {
    name: 'other',
    cost: new Array<number>(days).fill(0),
    tokens: new Array<number>(days).fill(0),
  };
  for (const s of sorted.slice(top))
    for (let i = 0; i < days; i++) {
      other.cost[i]! += s.cost[i]!;
      other.tokens[i]! += s.tokens[i]!;
    }
  return [...sorted.slice(0, top), other];
}

/** Cost and tokens per day over the last `days` days (today included), by model and by project. */
export async function charts(store: Store, days: number, now = Date.now(), tz = machineTimeZone()): Promise<Charts> {
  const last = dayIn(tz, now);
  const first = dayIn(tz, Date.parse(`${last}T12:00:00Z`) - (days - 1) * 86_400_000);
  const list = daysBetween(first, last);
  const index = new Map(list.map((d, i) => [d, i]));
  // One query: rows per day and project, each with its models; the models' series sum them over projects.
  const projects = await periodReport(store, 'daily', { since: first, until: last, tz, by: 'project' });
  const series = () => new Map<string, Series>();
  const add = (m: Map<string, Series>, name: string, day: string, cost: number | null, tokens: number) => {
    const i = index.get(day);
    if (i === undefined) return;
    let s = m.get(name);
    if (!s) {
      s = { name, cost: new Array<number>(list.length).fill(0), tokens: new Array<number>(list.length).fill(0) };
      m.set(name, s);
    }
    s.cost[i]! += cost ?? 0;
    s.tokens[i]! += tokens;
  };
  const byModel = series();
  const byProject = series();
  for (const row of projects.rows) {
    add(byProject, String(row.project) || '(none)', String(row.date), row.totalCost, row.totalTokens);
    for (const b of row.modelBreakdowns) add(byModel, b.modelName, String(row.date), b.cost, b.totalTokens);
  }
  return { days: list, byModel: topSeries(byModel, 8, list.length), byProject: topSeries(byProject, 8, list.length) };
}

export interface RecentSession {
  host: string;
  sessionId: string;
  project: string;
  startedAt: string;
  lastActivity: string;
  prompts: number;
  toolCalls: number;
}

/** Sessions with activity in the last `hours` hours, newest first (sessions_between reads only that range). */
export async function recentSessions(store: Store, hours: number, now = Date.now()): Promise<RecentSession[]> {
  return store.query<RecentSession>(
    `SELECT host, session_id AS sessionId, project,
       formatDateTime(started_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS startedAt,
       formatDateTime(last_activity, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS lastActivity,
       toUInt32(prompts) AS prompts, toUInt32(tool_calls) AS toolCalls
     FROM sessions_between(from_ms = {from:UInt64}, to_ms = {to:UInt64})
     WHERE session_id != ''
     ORDER BY last_activity DESC LIMIT 50`,
    { from: now - hours * 3_600_000, to: now + 60_000 },
  );
}

export interface AlertRow {
  rule: string;
  severity: string;
  status: string;
  startsAt: string;
  updatedAt: string;
  host: string;
  sessionId: string;
  summary: string;
}

/** Alerts started in the last `days` days, the latest state of each, newest first. */
export async function recentAlerts(store: Store, days: number, now = Date.now()): Promise<AlertRow[]> {
  return store.query<AlertRow>(
    `SELECT rule, severity, status,
       formatDateTime(ts, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS startsAt,
       formatDateTime(updated_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS updatedAt,
       host, session_id AS sessionId, summary
     FROM alerts FINAL
     WHERE ts >= fromUnixTimestamp64Milli(toInt64({from:UInt64}))
     ORDER BY updated_at DESC LIMIT 100`,
    { from: now - days * 86_400_000 },
  );
}
