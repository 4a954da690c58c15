/**
 * `cctap report activity`: what the sessions did, per day, week or month (and per user, host, project, branch
 * or model): sessions, prompts, turns, tool calls and errors, denials, active time, files touched, lines added
 * and removed, commits, pull requests, and the input tokens lost to prompt-cache misses by reason. Every
 * definition is in docs/activity.md; the rows come from the activity_events_between view (store
 * views/activity-views.ts), which already counts each line, response and tool use once.
 *
 * Distinct counts (sessions, files, commits, pull requests) are distinct within their row: a session that
 * spans two days is in both days' rows and once in the totals.
 */
import type { Store } from '@cctap/store';
import {
  DIMENSION_COLUMN,
  ReportOptionError,
  WEEK_DAYS,
  checkTimeZone,
  parseDay,
  type ReportOptions,
} from './options.js';
import { periodExpr } from './period-report.js';
import { addCacheMiss, emptyCacheMiss, type CacheMiss } from './session-cache-miss.js';
import { sessionProjectClause } from './session-project.js';

const ACTIVITY_PERIODS = ['day', 'week', 'month'] as const;
type ActivityPeriod = (typeof ACTIVITY_PERIODS)[number];

interface ActivityOptions extends ReportOptions {
  /** Default: day. */
  period?: ActivityPeriod;
}

export interface ActivityFigures {
  sessions: number;
  /** Prompts typed by a person (not slash-command echoes, task notifications or subagent prompts). */
  prompts: number;
  /** Turns: main-lane prompts of a person or a task notification, each of which opens one (as the analyzer counts). */
  turns: number;
  /** API responses (one per message id, subagents included; `<synthetic>` lines are none). */
  responses: number;
  toolCalls: number;
  /** Tool results that failed, denials not included. */
  toolErrors: number;
  denials: number;
  /** Sum of the gaps of at most ACTIVE_GAP_MS between a session's consecutive timed events. */
  activeMs: number;
  filesTouched: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  cacheMiss: CacheMiss;
}

type ActivityRow = ActivityFigures & { period: string; [key: string]: unknown };

export interface ActivityReport {
  period: ActivityPeriod;
  by: ReportOptions['by'] | null;
  tz: string;
  rows: ActivityRow[];
  totals: ActivityFigures;
}

/** A longer pause between two events of a session is idle time, not active time. */
const ACTIVE_GAP_MS = 5 * 60_000;

const KIND = { day: 'daily', week: 'weekly', month: 'monthly' } as const;
const KEY_FIELD = { day: 'date', week: 'week', month: 'month' } as const;
const DAY_MS = 86_400_000;
/** No upper bound: the year 3000. */
const END_OF_TIME_MS = 32_503_680_000_000;

export function checkActivityPeriod(value: string): ActivityPeriod {
  if ((ACTIVITY_PERIODS as readonly string[]).includes(value)) return value as ActivityPeriod;
  throw new ReportOptionError(`--period must be one of ${ACTIVITY_PERIODS.join(', ')}, got '${value}'`);
}

const FIGURES = `uniqExact(host, session_id) AS sessions,
  countIf(human_prompt) AS prompts,
  countIf(turn_start) AS turns,
  countIf(type = 'assistant') AS responses,
  countIf(type = 'tool.call') AS tool_calls,
  countIf(tool_error) AS tool_errors,
  countIf(type = 'denial') AS denials,
  sum(lines_added) AS lines_added,
  sum(lines_removed) AS lines_removed,
  uniqExactIf(file_path, file_path != '') AS files_touched,
  uniqExactIf(commit_sha, commit_sha != '') AS commits,
  uniqExactIf(pr_url, pr_url != '') AS pull_requests`;

interface FigureRow {
  period: string;
  dim: string;
  sessions: number;
  prompts: number;
  turns: number;
  responses: number;
  tool_calls: number;
  tool_errors: number;
  denials: number;
  lines_added: number;
  lines_removed: number;
  files_touched: number;
  commits: number;
  pull_requests: number;
  active_ms: number;
  /** Reason -> responses and reason -> tokens (64-bit counts may arrive as strings). */
  miss_responses: Record<string, number | string>;
  miss_tokens: Record<string, number | string>;
}

/** The view's range in epoch ms: the report's days widened by the largest zone offsets (the exact days are filtered after). */
function rangeMs(opts: ReportOptions): { from: number; to: number } {
  const from = opts.since ? Date.parse(`${parseDay(opts.since, '--since')}T00:00:00Z`) - DAY_MS : 0;
  const to = opts.until ? Date.parse(`${parseDay(opts.until, '--until')}T00:00:00Z`) + 2 * DAY_MS : END_OF_TIME_MS;
  return { from, to };
}

function cacheMissOf(r: FigureRow | undefined): CacheMiss {
  const miss = emptyCacheMiss();
  for (const [reason, responses] of Object.entries(r?.miss_responses ?? {}))
    addCacheMiss(miss, reason, Number(responses), Number(r?.miss_tokens[reason] ?? 0));
  return miss;
}

/** A row of the query, or zeros when the range has no activity (no totals row then). */
function figuresOf(r: FigureRow | undefined): ActivityFigures {
  const n = (v: number | string | undefined) => Number(v ?? 0);
  return {
    sessions: n(r?.sessions),
    prompts: n(r?.prompts),
    turns: n(r?.turns),
    responses: n(r?.responses),
    toolCalls: n(r?.tool_calls),
    toolErrors: n(r?.tool_errors),
    denials: n(r?.denials),
    activeMs: n(r?.active_ms),
    filesTouched: n(r?.files_touched),
    linesAdded: n(r?.lines_added),
    linesRemoved: n(r?.lines_removed),
    commits: n(r?.commits),
    pullRequests: n(r?.pull_requests),
    cacheMiss: cacheMissOf(r),
  };
}

/**
 * The `--by` value of each row as SQL, with the join it needs. A session's activity goes to the model that
 * answered most of its responses in the range; lines without a working directory or branch (`pr-link` and the
 * other metadata lines) to the session's latest one (docs/activity.md).
 */
function dimensionSql(by: ReportOptions['by'], view: string): { expr: string; join: string } {
  if (!by) return { expr: "''", join: '' };
  if (by === 'user' || by === 'host') return { expr: `a.${DIMENSION_COLUMN[by]}`, join: '' };
  if (by === 'model')
    return {
      expr: "ifNull(s.session_model, '')",
      join: `LEFT JOIN (
        SELECT host, session_id, argMax(model, (n, model)) AS session_model FROM (
          SELECT host, session_id, model, count() AS n FROM ${view} WHERE type = 'assistant' GROUP BY host, session_id, model
        ) GROUP BY host, session_id
      ) AS s USING (host, session_id)`,
    };
  const col = DIMENSION_COLUMN[by];
  return {
    expr: `if(a.${col} != '', a.${col}, ifNull(s.latest, ''))`,
    join: `LEFT JOIN (
      SELECT host, session_id, argMaxIf(${col}, ts, ${col} != '') AS latest FROM ${view} GROUP BY host, session_id
    ) AS s USING (host, session_id)`,
  };
}

export async function activityReport(store: Store, opts: ActivityOptions = {}): Promise<ActivityReport> {
  if (opts.instances) throw new ReportOptionError('--instances is for usage reports; use --by project');
  const period = opts.period ?? 'day';
  const tz = checkTimeZone(opts.tz ?? 'UTC');
  const { from, to } = rangeMs(opts);
  const sp = sessionProjectClause(opts, false);
  const params: Record<string, unknown> = {
    tz,
    sow: WEEK_DAYS.indexOf(opts.startOfWeek ?? 'monday') || 7,
    ...sp.params,
  };
  const where: string[] = ['1'];
  if (opts.since) {
    params.since = parseDay(opts.since, '--since');
    where.push('toDate(ts, {tz:String}) >= {since:Date}');
  }
  if (opts.until) {
    params.until = parseDay(opts.until, '--until');
    where.push('toDate(ts, {tz:String}) <= {until:Date}');
  }
  // Both bounds are integers computed here: a parameterized view's arguments are literals.
  const view = `activity_events_between(from_ms = ${from}, to_ms = ${to})`;
  const dim = dimensionSql(opts.by, view);
  const base = `WITH base AS (
      SELECT *, ${periodExpr(KIND[period])} AS period FROM (
        SELECT a.*, ${dim.expr} AS dim FROM ${view} AS a ${dim.join} ${sp.join} WHERE ${sp.where}
      ) WHERE ${where.join(' AND ')}
    )`;
  // One pass over the view: the groups and, as the empty grouping set, the totals (period '' only there).
  const rows = await store.query<FigureRow>(
    `${base}
    SELECT period, dim, ${FIGURES},
      sumIf(gap, timed AND gap <= ${ACTIVE_GAP_MS}) AS active_ms,
      sumMapIf(map(cache_miss_reason, toUInt64(1)), type = 'assistant' AND cache_miss_reason != '') AS miss_responses,
      sumMapIf(map(cache_miss_reason, cache_miss_tokens), type = 'assistant' AND cache_miss_reason != '') AS miss_tokens
    FROM (
      SELECT *, ts_source = 'line' AND type != 'meta' AS timed,
        dateDiff('millisecond', lagInFrame(ts, 1, ts) OVER (
          PARTITION BY host, session_id, timed ORDER BY ts, id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), ts) AS gap
      FROM base
    )
    GROUP BY GROUPING SETS ((period, dim), ())
    ORDER BY period, dim`,
    params,
    { readOnly: true, reusable: true },
  );
  const total = rows.find((r) => r.period === '');
  const out: ActivityRow[] = rows
    .filter((r) => r.period !== '')
    .map((r) => ({
      [KEY_FIELD[period]]: r.period,
      period: r.period,
      ...(opts.by ? { [opts.by]: r.dim } : {}),
      ...figuresOf(r),
    }));
  if (opts.order === 'desc') out.reverse();
  return { period, by: opts.by ?? null, tz, rows: out, totals: figuresOf(total) };
}

/** `{ activity: [rows], totals, period, tz }`, the JSON of `cctap report activity --json`. */
export function activityReportJson(r: ActivityReport): Record<string, unknown> {
  return { activity: r.rows, totals: r.totals, period: r.period, tz: r.tz };
}
