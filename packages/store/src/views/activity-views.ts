/**
 * The activity views (docs/activity.md): one row per thing a session did, each counted once however often
 * its line was stored.
 *
 * - activity_events: every row; activity_events_between(from_ms, to_ms): rows of a range (epoch ms, as the
 *   range views: range-views.ts), the range pushed into the scan of `events`. The report reads the range one.
 *
 * Row kinds (`type`) and what makes two rows the same (`activity_key`, first row by ts kept):
 * - prompt, meta (a `pr-link` line with a pull request): the event id, which already names the line wherever
 *   it was written (ids.ts).
 * - assistant: the API response (session and message id): every line of one response is one turn. `<synthetic>`
 *   lines are no response.
 * - tool.call, tool.result, denial: the tool use id, which Claude Code keeps when it copies a conversation into
 *   another file (a fork, a rewrite): each tool use counts once, whichever file it was read from.
 *
 * Plain views, no rollup: a materialized view sees every redelivered block before the merge (range-views.ts).
 */
const FROM = 'fromUnixTimestamp64Milli(toInt64({from_ms:UInt64}))';
const TO = 'fromUnixTimestamp64Milli(toInt64({to_ms:UInt64}))';

function activitySql(range: string): string {
  return `SELECT host, user, session_id, agent_id, project, git_branch, model, ts, ts_source, type, id,
      multiIf(
        type IN ('tool.call', 'tool.result', 'denial') AND JSONExtractString(payload, 'toolUseId') != '',
          concat(type, ':', JSONExtractString(payload, 'toolUseId')),
        type = 'assistant' AND JSONExtractString(payload, 'messageId') != '',
          concat(type, ':', session_id, ':', JSONExtractString(payload, 'messageId')),
        toString(id)) AS activity_key,
      type = 'prompt' AND JSONExtractString(payload, 'kind') = 'human' AS human_prompt,
      type = 'tool.result' AND JSONExtractBool(payload, 'isError') AND denial_kind = '' AS tool_error,
      lines_added, lines_removed, file_path, commit_sha, pr_url, cache_miss_reason, cache_miss_tokens
    FROM events
    WHERE type IN ('prompt', 'assistant', 'tool.call', 'tool.result', 'denial', 'meta')
      AND (type != 'meta' OR pr_url != '')
      AND NOT (type = 'assistant' AND JSONExtractBool(payload, 'synthetic'))
      AND ${range}
    ORDER BY host, activity_key, ts, id
    LIMIT 1 BY host, activity_key`;
}

export function activityViews(): string[] {
  return [
    `CREATE OR REPLACE VIEW activity_events AS ${activitySql('1')}`,
    `CREATE OR REPLACE VIEW activity_events_between AS ${activitySql(`ts >= ${FROM} AND ts <= ${TO}`)}`,
  ];
}
