/**
 * The one definition of "deduplicated usage": one row per API response, the line with the largest token
 * total winning (argMax by the `version` column of migration 002), sidechain replays of a main-chain
 * message id dropped (transcript-format.md sections 6 and 7). The `usage_responses` view and every report
 * use this text, so they cannot disagree.
 */

const COLUMNS = [
  'ts', 'event_id', 'host', 'user', 'session_id', 'agent_id', 'sidechain', 'project', 'git_branch', 'model',
  'input_tokens', 'output_tokens', 'cache_creation_tokens', 'cache_creation_5m_tokens', 'cache_creation_1h_tokens',
  'cache_read_tokens', 'total_tokens', 'cost_usd', 'unpriced', 'price_version', 'speed',
] as const;

/**
 * @param prefilter an optional condition on raw `usage` rows applied before the dedup, to read less (name raw
 *   columns as `usage.<column>`: the bare names are the argMax aliases). It must
 *   keep every line of any response it keeps (e.g. a ts window widened by a day), or the max rule breaks.
 */
export function responsesSql(prefilter?: string): string {
  const picks = COLUMNS.map((c) => `argMax(${c}, version) AS ${c}`).join(',\n      ');
  return `WITH r AS (
    SELECT message_id, request_id, scope,
      ${picks}
    FROM usage
    ${prefilter ? `WHERE ${prefilter}` : ''}
    GROUP BY message_id, request_id, scope
  )
  SELECT * FROM r
  WHERE NOT (sidechain AND message_id IN (SELECT message_id FROM r WHERE NOT sidechain))`;
}
