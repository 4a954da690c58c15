/**
 * The one definition of "deduplicated, priced usage": one row per API response, the line with the largest
 * token total winning (the largest `version`, the column of migration 002), sidechain replays of a main-chain
 * message id dropped (transcript-format.md sections 6 and 7), priced by the newest synced generation of the
 * price book (migration 006). The `usage_responses` view and every report use this text, so they cannot
 * disagree.
 *
 * Hosts: a response is one per (message id, request id, scope) AND host (migration 010). The same response seen
 * twice on one host (resume copies, subagent replays) counts once; rows from two hosts never merge, so one
 * host's credential cannot replace, drop (as a "sidechain replay") or retract another host's response.
 *
 * Pricing (the same rule as the book's priceResponse, proven equal by prices/price-agreement.test.ts):
 *   writes = greatest(cache_creation, c5m + c1h); w1h = least(c1h, writes); w5m = writes - w1h
 *   prompt = input + writes + cache_read; tier rates when tier_threshold > 0 and prompt > tier_threshold
 *   usd = (input*in + output*out + w5m*cw5m + w1h*cw1h + cache_read*read)
 *         * (fast_multiplier if speed = 'fast') * (us_multiplier if inference_geo = 'us')
 *         + web_search_requests * web_search_per_request
 * The row of a model is the one in effect at the response's ts (ASOF JOIN on effective_from; none before the
 * first, none from effective_to on). A model without a row is unpriced: cost_usd NULL, never 0.
 *
 * Why the dedup is a sort and not a GROUP BY with argMax: the old text picked each column with its own
 * `argMax(column, version)`, 21 aggregate states per response, and those states were the query's cost (on a
 * store of 1 GB of transcripts, ~109k responses: ~300 ms of the ~350 ms of `report daily`; reading the columns
 * took ~30 ms). `ORDER BY key, version DESC LIMIT 1 BY key` keeps the same line, whole: the table is sorted by
 * (message_id, request_id, scope, …), so the engine reads its parts in that order and only finishes the sort
 * by host and version within one response, streaming (that dedup: ~60 ms instead of ~300 ms on the same store,
 * with a quarter of the memory; on a store of unmerged parts, merging the parts' orders costs more, still less
 * than the argMax states). On equal versions (same total and millisecond) either way keeps one of the tied
 * lines, whole. The columns argMax returned as plain String are cast back to String, so the view's column types
 * do not change.
 * `r` is named twice (the rows, and the main-chain ids that drop sidechain replays), and ClickHouse inlines a
 * CTE at each use; the second use reads only the key, version and sidechain columns (the engine drops the
 * others), so it costs a small part of the first. A window over `r` instead (computed once: `max(NOT sidechain)
 * OVER (PARTITION BY host, message_id)`) gives the same rows; it measured no faster on one machine and ~25 % faster
 * on another (bench/notes/ccusage.md), but it holds the whole of `r` for its sort: 64–96 MB for the daily report
 * on 1 GB of transcripts against 34–64 MB, growing with the history, in the process of a running `up`.
 *
 * Retractions: when a model refuses, Claude Code removes the refused response's lines from the transcript and
 * names them in a `refusal` event (`retractedUuids`: every line of the response). A response whose kept line
 * was so retracted in its session is not usage: it is left out here and listed by the `retractions` view (the
 * same text, `retracted: 'only'`). Checked per response, after the dedup, not per raw line: the same answer
 * (all of a retracted response's lines are named) for a fraction of the lookups.
 */

const COLUMNS = [
  'ts',
  'event_id',
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
  'web_search_requests',
  'web_fetch_requests',
  'total_tokens',
  'speed',
  'inference_geo',
  'line_uuid',
] as const;

/** The LowCardinality columns of `usage`, given as String as argMax gave them (the view's types stay). */
const LOW_CARDINALITY = new Set<string>(['user', 'project', 'git_branch', 'model', 'speed', 'inference_geo']);

/** The key of one response (migration 010): the lines of one key are one response, the max rule picks one. */
const KEY = 'message_id, request_id, scope, host';

/** One deduplicated response as the per-response reports (blocks, `session --id`) read it. */
export interface ResponseEntryRow {
  ms: number;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  cost: number | null;
}

/** The select list of a ResponseEntryRow, over responsesSql(): an unpriced response's cost is NULL, never 0. */
export const RESPONSE_ENTRY_COLUMNS = `toUnixTimestamp64Milli(ts) AS ms, model, input_tokens, output_tokens,
       cache_creation_tokens, cache_read_tokens, if(unpriced, NULL, cost_usd) AS cost`;

/** (host, session, line uuid) of every line a refusal retracted. Duplicate events only repeat triples: no FINAL
 *  needed. The host is part of it so one host's refusal cannot retract another host's response. */
const retractedLinesSql = (eventsPrefilter?: string) =>
  `SELECT host, session_id, arrayJoin(arrayMap(x -> JSONExtractString(x), JSONExtractArrayRaw(payload, 'retractedUuids')))
    FROM events WHERE type = 'refusal'${eventsPrefilter ? ` AND ${eventsPrefilter}` : ''}`;

/** The price rows readers use: the newest generation whose sync completed (its price_syncs marker exists). */
const CURRENT_PRICES_SQL = `SELECT * FROM prices WHERE generation = (SELECT max(generation) FROM price_syncs)`;

/**
 * @param prefilter an optional condition on raw `usage` rows applied before the dedup, to read less (name raw
 *   columns as `usage.<column>`, as the reports and range views do). It must
 *   keep every line of any response it keeps (e.g. a ts window widened by a day), or the max rule breaks.
 * @param eventsPrefilter an optional condition on the `events` rows read for refusals (the retracted lines),
 *   e.g. the same widened ts window, so a query over a range reads no partition of `events` outside it.
 */
export function responsesSql(
  prefilter?: string,
  retracted: 'exclude' | 'only' = 'exclude',
  eventsPrefilter?: string,
): string {
  const picks = COLUMNS.map((c) => (LOW_CARDINALITY.has(c) ? `CAST(${c} AS String) AS ${c}` : c)).join(', ');
  return `SELECT * EXCEPT (priced, writes, w1h, w5m, tiered, tokens_usd) FROM (
  WITH r AS (
    SELECT ${KEY}, ${picks} FROM (
      SELECT ${KEY}, ${COLUMNS.join(', ')}
      FROM usage
      ${prefilter ? `WHERE ${prefilter}` : ''}
      ORDER BY ${KEY}, version DESC
      LIMIT 1 BY ${KEY})
  ),
  d AS (
    SELECT * FROM r
    WHERE (host, session_id, line_uuid) ${retracted === 'only' ? '' : 'NOT '}IN (${retractedLinesSql(eventsPrefilter)})
      AND NOT (sidechain AND (host, message_id) IN (SELECT host, message_id FROM r WHERE NOT sidechain))
  ),
  p AS (
    SELECT model AS p_model, effective_from AS p_from, effective_to AS p_to, price_key AS p_key, book_version AS p_version,
      input AS p_in, output AS p_out, cache_write_5m AS p_cw5m, cache_write_1h AS p_cw1h, cache_read AS p_read,
      tier_threshold AS p_tier, tier_input AS p_t_in, tier_output AS p_t_out, tier_cache_write_5m AS p_t_cw5m,
      tier_cache_write_1h AS p_t_cw1h, tier_cache_read AS p_t_read,
      fast_multiplier AS p_fast, us_multiplier AS p_us, web_search_per_request AS p_web, 1 AS p_found
    FROM (${CURRENT_PRICES_SQL})
  )
  SELECT d.*,
    p_found = 1 AND (p_to IS NULL OR d.ts < p_to) AS priced,
    greatest(d.cache_creation_tokens, d.cache_creation_5m_tokens + d.cache_creation_1h_tokens) AS writes,
    least(d.cache_creation_1h_tokens, writes) AS w1h,
    writes - w1h AS w5m,
    p_tier > 0 AND d.input_tokens + writes + d.cache_read_tokens > p_tier AS tiered,
    d.input_tokens * if(tiered, p_t_in, p_in)
      + d.output_tokens * if(tiered, p_t_out, p_out)
      + w5m * if(tiered, p_t_cw5m, p_cw5m)
      + w1h * if(tiered, p_t_cw1h, p_cw1h)
      + d.cache_read_tokens * if(tiered, p_t_read, p_read) AS tokens_usd,
    if(priced,
      tokens_usd * if(d.speed = 'fast', p_fast, 1) * if(d.inference_geo = 'us', p_us, 1) + d.web_search_requests * p_web,
      NULL) AS cost_usd,
    toBool(NOT priced) AS unpriced,
    if(priced, p_version, '') AS price_version,
    if(priced, p_key, '') AS price_key
  FROM d ASOF LEFT JOIN p ON d.model = p.p_model AND d.ts >= p.p_from
  )`;
}
