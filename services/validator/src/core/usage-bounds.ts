/**
 * What one API response can plausibly cost. The contract only says token counts are whole numbers >= 0, so
 * without this a host credential could report a response of 10^15 tokens and charge it to anyone. The bounds
 * are generous on purpose (well above every model's context window and output limit, so a new, larger model
 * is not rejected), yet small enough that one forged line cannot dwarf a team's real spend.
 *
 * Prompt tokens are input + cache writes + cache reads, with cache writes counted as the larger of the total
 * and its 5m/1h split: the store prices the larger one (reports/responses-sql.ts), so the bound must too.
 */
import type { CctapEvent } from '@cctap/events';

export interface UsageBounds {
  /** input + cache writes + cache reads of one response. */
  maxPromptTokens: number;
  /** Output tokens of one response. */
  maxOutputTokens: number;
  /** Web search or web fetch requests of one response (server tools run a handful per turn). */
  maxToolRequests: number;
}

export const DEFAULT_USAGE_BOUNDS: UsageBounds = { maxPromptTokens: 2_000_000, maxOutputTokens: 256_000, maxToolRequests: 1_000 };

type Usage = Extract<CctapEvent, { type: 'assistant' }>['payload']['usage'];

function excess(u: Usage, b: UsageBounds): string | null {
  const writes = Math.max(u.cacheCreation, u.cacheCreation5m + u.cacheCreation1h);
  const prompt = u.input + writes + u.cacheRead;
  if (prompt > b.maxPromptTokens) return `${prompt} prompt tokens (input + cache writes + cache reads), limit ${b.maxPromptTokens}`;
  if (u.output > b.maxOutputTokens) return `${u.output} output tokens, limit ${b.maxOutputTokens}`;
  if (u.webSearchRequests > b.maxToolRequests) return `${u.webSearchRequests} web search requests, limit ${b.maxToolRequests}`;
  if (u.webFetchRequests > b.maxToolRequests) return `${u.webFetchRequests} web fetch requests, limit ${b.maxToolRequests}`;
  return null;
}

/** Why the event's usage is impossible for one response (the executor's or an advisor iteration's), or null. */
export function implausibleUsage(e: CctapEvent, b: UsageBounds = DEFAULT_USAGE_BOUNDS): string | null {
  if (e.type !== 'assistant') return null;
  const own = excess(e.payload.usage, b);
  if (own) return `response reports ${own}`;
  for (const [i, a] of (e.payload.advisor ?? []).entries()) {
    const it = excess(a.usage, b);
    if (it) return `advisor iteration ${i} reports ${it}`;
  }
  return null;
}
