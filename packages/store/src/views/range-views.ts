/**
 * Views over a time range, for dashboards at scale: parameterized views (`FROM usage_responses_between(
 * from_ms = …, to_ms = …)`) whose range reaches the tables they scan, so a panel over the last day reads the
 * partitions of the last day, not the whole history.
 *
 * Why not `SELECT … FROM usage_responses WHERE ts …`: usage_responses, sessions and tool_spans group or join the
 * whole table before the outer WHERE applies (a filter on an aggregate's result cannot move below the GROUP BY),
 * so every panel refresh read every row ever stored. Why not daily rollups by materialized view: a materialized
 * view sees every inserted block, redelivered copies included, before ReplacingMergeTree merges them; the
 * max rule (argMax by version per response) and the uniqExact counts would then be wrong or need a second
 * dedup. These views stay exact: the same definitions, with the range pushed into each scan.
 *
 * Ranges are epoch milliseconds (Grafana's `${__from}` and `${__to}`), widened where a fact of the range can
 * sit outside it:
 * - usage_responses_between: raw usage lines from a day before to a day after (every line of a response in
 *   range is read, as the reports' prefilter does: reports/options.ts), refusals likewise.
 * - sessions_between: sessions with an event in the range; their figures count their events from
 *   SESSION_LOOKBACK_DAYS before the range (a session open longer shows a later start).
 * - tool_spans_between: calls started in the range, results up to a day after.
 * Each view's outer rows still need the panel's own `$__timeFilter` where the widening must not show.
 *
 * Redefined after every migration run with the current texts (migrate.ts), like usage_responses.
 */
import { responsesSql } from './responses-sql.js';

/** How far before a range sessions_between reads a session's events. */
const SESSION_LOOKBACK_DAYS = 7;

const FROM = 'fromUnixTimestamp64Milli(toInt64({from_ms:UInt64}))';
const TO = 'fromUnixTimestamp64Milli(toInt64({to_ms:UInt64}))';
/** `col` in the range widened by `before` and `after` days. */
const within = (col: string, before: number, after: number) =>
  `${col} >= ${FROM} - INTERVAL ${before} DAY AND ${col} <= ${TO} + INTERVAL ${after} DAY`;

export function rangeViews(): string[] {
  return [
    `CREATE OR REPLACE VIEW usage_responses_between AS ${responsesSql(within('usage.ts', 1, 1), 'exclude', within('ts', 1, 1))}`,
    `CREATE OR REPLACE VIEW sessions_between AS
    SELECT host, session_id,
      anyIf(user, user != '') AS user, anyLastIf(project, project != '') AS project, anyLastIf(git_branch, git_branch != '') AS git_branch,
      minIf(ts, ts_source != 'file') AS started_at, maxIf(ts, ts_source != 'file') AS last_activity,
      uniqExact(id) AS events,
      uniqExactIf(id, type = 'prompt') AS prompts,
      uniqExactIf(id, type = 'tool.call') AS tool_calls,
      uniqExactIf(id, type = 'api.error') AS api_errors,
      uniqExactIf(agent_id, agent_id != '') AS subagents
    FROM events
    WHERE ${within('ts', SESSION_LOOKBACK_DAYS, 0)}
      AND (host, session_id) IN (SELECT host, session_id FROM events WHERE ${within('ts', 0, 0)})
    GROUP BY host, session_id`,
    `CREATE OR REPLACE VIEW tool_spans_between AS
    SELECT
      c.host AS host, c.user AS user, c.session_id AS session_id, c.agent_id AS agent_id, c.project AS project,
      c.git_branch AS git_branch, c.tool_name AS tool_name,
      JSONExtractString(c.payload, 'toolUseId') AS tool_use_id,
      c.ts AS started_at, r.ts AS ended_at,
      if(r.ts IS NULL, NULL,
        coalesce(JSONExtract(r.payload, 'durationMs', 'Nullable(Float64)'), toFloat64(dateDiff('millisecond', c.ts, r.ts)))) AS duration_ms,
      JSONExtractBool(r.payload, 'isError') AS is_error,
      JSONExtract(r.payload, 'errorClass', 'Nullable(String)') AS error_class
    FROM (SELECT * FROM events FINAL WHERE type = 'tool.call' AND ${within('ts', 0, 0)}) AS c
    LEFT JOIN (SELECT * FROM events FINAL WHERE type = 'tool.result' AND ${within('ts', 0, 1)}) AS r
      ON r.host = c.host AND r.session_id = c.session_id
     AND JSONExtractString(r.payload, 'toolUseId') = JSONExtractString(c.payload, 'toolUseId')
    SETTINGS join_use_nulls = 1`,
  ];
}
