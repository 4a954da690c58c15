/**
 * Contract event -> one row of `usage` (migration 002), or null when the event carries no billable usage.
 *
 * Only assistant events of real API responses count: a message id is required (it is the dedup key) and
 * `<synthetic>` lines, written by the CLI itself, are never priced (transcript-format.md section 7).
 * Pure.
 */
import type { CctapEvent } from '@cctap/events';
import { toClickHouseTime } from './clickhouse-time.js';

export interface UsageRow {
  message_id: string;
  request_id: string;
  /** '' when the request id is known (dedup is global); the session id when it is missing (section 7.2). */
  scope: string;
  ts: string;
  event_id: string;
  host: string;
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
  cost_usd: number | null;
  unpriced: boolean;
  price_version: string;
  speed: string;
  service_tier: string;
}

/** The token total the max rule compares: the four billed kinds, as ccusage does. */
export function tokenTotal(u: { input: number; output: number; cacheCreation: number; cacheRead: number }): number {
  return u.input + u.output + u.cacheCreation + u.cacheRead;
}

export function toUsageRow(e: CctapEvent): UsageRow | null {
  if (e.type !== 'assistant') return null;
  const p = e.payload;
  if (p.synthetic || !p.messageId) return null;
  const requestId = p.requestId ?? '';
  const u = p.usage;
  return {
    message_id: p.messageId,
    request_id: requestId,
    scope: requestId === '' ? e.sessionId : '',
    ts: toClickHouseTime(e.ts),
    event_id: e.id,
    host: e.host,
    user: e.user,
    session_id: e.sessionId,
    agent_id: e.agentId ?? '',
    sidechain: e.sidechain,
    project: e.project,
    git_branch: e.gitBranch,
    model: p.model,
    input_tokens: u.input,
    output_tokens: u.output,
    cache_creation_tokens: u.cacheCreation,
    cache_creation_5m_tokens: u.cacheCreation5m,
    cache_creation_1h_tokens: u.cacheCreation1h,
    cache_read_tokens: u.cacheRead,
    web_search_requests: u.webSearchRequests,
    web_fetch_requests: u.webFetchRequests,
    total_tokens: tokenTotal(u),
    cost_usd: !p.cost || p.cost.unpriced ? null : p.cost.usd,
    unpriced: !p.cost || p.cost.unpriced || p.cost.usd === null,
    price_version: p.cost?.priceVersion ?? '',
    speed: p.speed ?? '',
    service_tier: p.serviceTier ?? '',
  };
}
