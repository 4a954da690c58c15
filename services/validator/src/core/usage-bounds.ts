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

interface UsageBounds {
  /** input + cache writes + cache reads of one response. */
  maxPromptTokens: number;
  /** Output tokens of one response. */
  maxOutputTokens: number;
  /** Web search or web fetch requests of one response (server tools run a handful per turn). */
  maxToolRequests: number;
}

const BOUNDS: UsageBounds = { maxPromptTokens: 2_000_000, maxOutputTokens: 256_000, maxToolRequests: 1_000 };

type Usage = Extract<CctapEvent, { type: 'assistant' }>['payload']['usage'];

function excess(u: Usage): string | null {
  const writes = Math.max(u.cacheCreation, u.cacheCreation5m + u.cacheCreation1h);
  const prompt = u.input + writes + u.cacheRead;
  if (prompt > BOUNDS.maxPromptTokens)
    return `${prompt} prompt tokens (input + cache writes + cache reads), limit ${BOUNDS.maxPromptTokens}`;
  if (u.output > BOUNDS.maxOutputTokens) return `${u.output} output tokens, limit ${BOUNDS.maxOutputTokens}`;
  if (u.webSearchRequests > BOUNDS.maxToolRequests)
    return `${u.webSearchRequests} web search requests, limit ${BOUNDS.maxToolRequests}`;
  if (u.webFetchRequests > BOUNDS.maxToolRequests)
    return `${u.webFetchRequests} web fetch requests, limit ${BOUNDS.maxToolRequests}`;
  return null;
}

/** Why the event's usage is impossible for one response (the executor's or an advisor iteration's), or null. */
export function implausibleUsage(e: CctapEvent): string | null {
  if (e.type !== 'assistant') return null;
  const own = excess(e.payload.usage);
  if (own) return `response reports ${own}`;
  for (const [i, a] of (e.payload.advisor ?? []).entries()) {
    const it = excess(a.usage);
    if (it) return `advisor iteration ${i} reports ${it}`;
  }
  return null;
}
