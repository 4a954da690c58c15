/**
 * Contract event -> its rows of `usage` (migrations 002, 006 and 010): none when the event carries no billable
 * usage, one for the response, and one more per advisor iteration.
 *
 * Only assistant events of real API responses count: a message id is required (it is the dedup key) and
 * `<synthetic>` lines, written by the CLI itself, are never priced (transcript-format.md section 7).
 *
 * Advisor iterations are billed at the advisor model's rates, so each is a row of that model: same message
 * and request id, scope `<scope>|advisor:<i>` (its own key, so the max rule picks each iteration's largest
 * line on its own), the executor's inference geo, and no fast mode (a property of the executor's request).
 * Every report then counts the advisor's tokens and cost under its model.
 *
 * Cost is not taken from the event: the store prices every row from the book (reports/responses-sql.ts);
 * the host-side cost columns of 002 keep their defaults. Pure.
 */
import type { CctapEvent, PayloadOf } from '@cctap/events';
import { toClickHouseTime } from '@cctap/store';

export interface UsageRow {
  message_id: string;
  request_id: string;
  /** '' when the request id is known (dedup is global within a host); the session id when it is missing (section 7.2);
   *  either followed by `|advisor:<i>` for the i-th advisor iteration. */
  scope: string;
  ts: string;
  event_id: string;
  host: string;
  /** The host again, as the last key column (migration 010): rows of two hosts never replace each other. */
  dedup_host: string;
  user: string;
  session_id: string;
  agent_id: string;
  sidechain: boolean;
  project: string;
  git_branch: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_creation_5m_tokens: number;
  cache_creation_1h_tokens: number;
  cache_read_tokens: number;
  web_search_requests: number;
  web_fetch_requests: number;
  total_tokens: number;
  speed: string;
  service_tier: string;
  inference_geo: string;
  line_uuid: string;
}

/** The token total the max rule compares: the four billed kinds, as ccusage does. */
function tokenTotal(u: { input: number; output: number; cacheCreation: number; cacheRead: number }): number {
  return u.input + u.output + u.cacheCreation + u.cacheRead;
}

export function toUsageRows(e: CctapEvent): UsageRow[] {
  if (e.type !== 'assistant') return [];
  const p = e.payload;
  if (p.synthetic || !p.messageId) return [];
  const requestId = p.requestId ?? '';
  const scope = requestId === '' ? e.sessionId : '';
  const base = {
    message_id: p.messageId,
    request_id: requestId,
    ts: toClickHouseTime(e.ts),
    event_id: e.id,
    host: e.host,
    dedup_host: e.host,
    user: e.user,
    session_id: e.sessionId,
    agent_id: e.agentId ?? '',
    sidechain: e.sidechain,
    project: e.project,
    git_branch: e.gitBranch,
    service_tier: p.serviceTier ?? '',
    inference_geo: p.inferenceGeo ?? '',
    line_uuid: e.lineUuid ?? '',
  };
  const rows: UsageRow[] = [{ ...base, scope, model: p.model, speed: p.speed ?? '', ...tokenColumns(p.usage) }];
  (p.advisor ?? []).forEach((a, i) => {
    rows.push({ ...base, scope: `${scope}|advisor:${i}`, model: a.model, speed: '', ...tokenColumns(a.usage) });
  });
  return rows;
}

function tokenColumns(u: PayloadOf<'assistant'>['usage']) {
  return {
    input_tokens: u.input,
    output_tokens: u.output,
    cache_creation_tokens: u.cacheCreation,
    cache_creation_5m_tokens: u.cacheCreation5m,
    cache_creation_1h_tokens: u.cacheCreation1h,
    cache_read_tokens: u.cacheRead,
    web_search_requests: u.webSearchRequests,
    web_fetch_requests: u.webFetchRequests,
    total_tokens: tokenTotal(u),
  };
}
