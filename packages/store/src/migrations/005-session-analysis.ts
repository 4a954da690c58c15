import type { Migration } from './migration.js';

/**
 * The analyzer's behavioral analysis in the `sessions` view. The analyzer re-emits a session's summary (tool
 * n-grams, interval statistics, state transitions, totals) with a growing `revision`; each revision is its
 * own row of `derived`, and the latest one is the analysis.
 *
 * - session_analysis: the latest session.summary per (host, session).
 * - sessions: as before (004), plus `analysis` (that summary's JSON, '' when the analyzer has not sent one);
 *   first and last activity now ignore `file` timestamps (made up for untimed lines before the first timed
 *   one: they would stretch a session to the file's modification time).
 */
export const migration: Migration = {
  version: 5,
  name: 'session-analysis',
  statements: () => [
    `CREATE VIEW IF NOT EXISTS session_analysis AS
    SELECT host, session_id,
      max(JSONExtractUInt(payload, 'revision')) AS revision,
      argMax(payload, JSONExtractUInt(payload, 'revision')) AS summary
    FROM derived FINAL
    WHERE kind = 'session.summary'
    GROUP BY host, session_id`,
    `CREATE OR REPLACE VIEW sessions AS
    SELECT s.*, ifNull(a.summary, '') AS analysis
    FROM (
      SELECT host, session_id,
        anyIf(user, user != '') AS user, anyLastIf(project, project != '') AS project, anyLastIf(git_branch, git_branch != '') AS git_branch,
        minIf(ts, ts_source != 'file') AS started_at, maxIf(ts, ts_source != 'file') AS last_activity,
        uniqExact(id) AS events,
        uniqExactIf(id, type = 'prompt') AS prompts,
        uniqExactIf(id, type = 'tool.call') AS tool_calls,
        uniqExactIf(id, type = 'api.error') AS api_errors,
        uniqExactIf(agent_id, agent_id != '') AS subagents
      FROM events
      GROUP BY host, session_id
    ) AS s
    LEFT JOIN session_analysis AS a ON a.host = s.host AND a.session_id = s.session_id
    SETTINGS join_use_nulls = 1`,
  ],
};
