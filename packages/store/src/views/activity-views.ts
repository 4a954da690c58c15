/**
 * The activity views (docs/activity.md): one row per thing a session did, each counted once however often
 * its line was stored.
 *
 * - activity_events: every row; activity_events_between(from_ms, to_ms): rows of a range (epoch ms, as the
 *   range views: range-views.ts), the range pushed into the scan of `events`. The report reads the range one.
 *
 * Row kinds (`type`) and what makes two rows the same (`activity_key`; the first copy by ts names the session,
 * time and place):
 * - prompt, meta (a `pr-link` line with a pull request): the event id, which already names the line wherever
 *   it was written (ids.ts).
 * - assistant: the API response (session and message id): every line of one response is one response.
 *   `<synthetic>` lines are no response.
 * - tool.call, tool.result, denial: the tool use id, which Claude Code keeps when it copies a conversation into
 *   another file (a fork, a rewrite): each tool use counts once, whichever file it was read from.
 *
 * Plain views, no rollup: a materialized view sees every redelivered block before the merge (range-views.ts).
 */
const FROM = 'fromUnixTimestamp64Milli(toInt64({from_ms:UInt64}))';
const TO = 'fromUnixTimestamp64Milli(toInt64({to_ms:UInt64}))';

/**
 * Columns that differ between copies of one thing (a fork's copy is in another session, at another time) come
 * from its first copy, by (ts, id); the others are the same in every copy (one tool use, one response, one
 * line). A GROUP BY with one small argMin tuple: an ORDER BY … LIMIT 1 BY sorts every row and was several times
 * slower on 700,000 events.
 */
const FIRST_COPY = ['session_id', 'agent_id', 'user', 'project', 'git_branch', 'ts', 'ts_source', 'id'] as const;

/** The columns every copy has alike, and how each is read. */
const SAME_IN_EVERY_COPY = [
  ['type', 'type'],
  ['model', 'model'],
  ['human_prompt', "type = 'prompt' AND JSONExtractString(payload, 'kind') = 'human'"],
  // What opens a turn, as the analyzer's turns detector counts them: a main-lane human or task-notification prompt.
  [
    'turn_start',
    "type = 'prompt' AND NOT sidechain AND agent_id = '' AND JSONExtractString(payload, 'kind') IN ('human', 'task_notification')",
  ],
  ['tool_error', "type = 'tool.result' AND JSONExtractBool(payload, 'isError') AND denial_kind = ''"],
  ['lines_added', 'lines_added'],
  ['lines_removed', 'lines_removed'],
  ['file_path', 'file_path'],
  ['commit_sha', 'commit_sha'],
  ['pr_url', 'pr_url'],
  ['cache_miss_reason', 'cache_miss_reason'],
  ['cache_miss_tokens', 'cache_miss_tokens'],
] as const;

function activitySql(range: string): string {
  // The inner aliases are prefixed: ClickHouse would read an alias named as a column in the WHERE.
  return `SELECT host, activity_key, ${FIRST_COPY.map((c, i) => `first_copy.${i + 1} AS ${c}`).join(', ')},
      ${SAME_IN_EVERY_COPY.map(([c]) => `any_${c} AS ${c}`).join(', ')}
    FROM (
      SELECT host,
        multiIf(
          type IN ('tool.call', 'tool.result', 'denial') AND JSONExtractString(payload, 'toolUseId') != '',
            concat(type, ':', JSONExtractString(payload, 'toolUseId')),
          type = 'assistant' AND JSONExtractString(payload, 'messageId') != '',
            concat(type, ':', session_id, ':', JSONExtractString(payload, 'messageId')),
          toString(id)) AS activity_key,
        argMin((${FIRST_COPY.join(', ')}), (ts, id)) AS first_copy,
        ${SAME_IN_EVERY_COPY.map(([c, expr]) => `any(${expr}) AS any_${c}`).join(',\n        ')}
      FROM events
      WHERE type IN ('prompt', 'assistant', 'tool.call', 'tool.result', 'denial', 'meta')
        AND (type != 'meta' OR pr_url != '')
        AND NOT (type = 'assistant' AND JSONExtractBool(payload, 'synthetic'))
        AND ${range}
      GROUP BY host, activity_key
    )`;
}

export function activityViews(): string[] {
  return [
    `CREATE OR REPLACE VIEW activity_events AS ${activitySql('1')}`,
    `CREATE OR REPLACE VIEW activity_events_between AS ${activitySql(`ts >= ${FROM} AND ts <= ${TO}`)}`,
  ];
}
