import type { Migration } from './migration.js';

/**
 * usage_responses as this migration first defined it, frozen: the current definition (reports/responses-sql.ts)
 * reads columns and tables of later migrations, and migrate() replaces this one after the last migration.
 */
const RESPONSES_V4 = `WITH r AS (
    SELECT message_id, request_id, scope,
      ${[
        'ts',
        'event_id',
        'host',
        'user',
        'session_id',
        'agent_id',
        'sidechain',
        'project',
        'git_branch',
        'model',
        'input_tokens',
        'output_tokens',
        'cache_creation_tokens',
        'cache_creation_5m_tokens',
        'cache_creation_1h_tokens',
        'cache_read_tokens',
        'total_tokens',
        'cost_usd',
        'unpriced',
        'price_version',
        'speed',
      ]
        .map((c) => `argMax(${c}, version) AS ${c}`)
        .join(',\n      ')}
    FROM usage
    GROUP BY message_id, request_id, scope
  )
  SELECT * FROM r
  WHERE NOT (sidechain AND message_id IN (SELECT message_id FROM r WHERE NOT sidechain))`;

/**
 * Read-side views. They are plain (non-materialized) views over the ReplacingMergeTree tables, so they stay
 * exact under duplicates: a materialized rollup would see every redelivered block before the merge.
 *
 * - usage_responses: one row per API response after the max rule (argMax by version, see 002-usage), with
 *   /btw-style sidechain replays (a sidechain response whose message id also belongs to a main-chain
 *   response under another request id, transcript-format.md section 6) dropped.
 * - tool_spans: tool calls paired with their results from `events` (FINAL), until the analyzer's derived
 *   tool.span events replace it.
 * - sessions: one row per (host, session): first and last activity, counts, project, branch, user.
 */
export const migration: Migration = {
  version: 4,
  name: 'views',
  statements: () => [
    `CREATE VIEW IF NOT EXISTS usage_responses AS ${RESPONSES_V4}`,
    `CREATE VIEW IF NOT EXISTS tool_spans AS
    SELECT
      c.host AS host, c.user AS user, c.session_id AS session_id, c.agent_id AS agent_id, c.project AS project,
      c.git_branch AS git_branch, c.tool_name AS tool_name,
      JSONExtractString(c.payload, 'toolUseId') AS tool_use_id,
      c.ts AS started_at, r.ts AS ended_at,
      if(r.ts IS NULL, NULL,
        coalesce(JSONExtract(r.payload, 'durationMs', 'Nullable(Float64)'), toFloat64(dateDiff('millisecond', c.ts, r.ts)))) AS duration_ms,
      JSONExtractBool(r.payload, 'isError') AS is_error,
      JSONExtract(r.payload, 'errorClass', 'Nullable(String)') AS error_class
    FROM (SELECT * FROM events FINAL WHERE type = 'tool.call') AS c
    LEFT JOIN (SELECT * FROM events FINAL WHERE type = 'tool.result') AS r
      ON r.host = c.host AND r.session_id = c.session_id
     AND JSONExtractString(r.payload, 'toolUseId') = JSONExtractString(c.payload, 'toolUseId')
    SETTINGS join_use_nulls = 1`,
    `CREATE VIEW IF NOT EXISTS sessions AS
    SELECT host, session_id,
      any(user) AS user, anyLast(project) AS project, anyLast(git_branch) AS git_branch,
      min(ts) AS started_at, max(ts) AS last_activity,
      uniqExact(id) AS events,
      uniqExactIf(id, type = 'prompt') AS prompts,
      uniqExactIf(id, type = 'tool.call') AS tool_calls,
      uniqExactIf(id, type = 'api.error') AS api_errors,
      uniqExactIf(agent_id, agent_id != '') AS subagents
    FROM events
    GROUP BY host, session_id`,
  ],
};
