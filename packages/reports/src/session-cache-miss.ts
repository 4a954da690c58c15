/**
 * Prompt-cache misses per session (`message.diagnostics.cache_miss_reason`, migration 007's columns): the input
 * tokens billed at the full rate because the cache missed, by reason, for `report session --detail` and
 * `report session --id`. Every line of a response carries the response's diagnostics: one miss per response
 * (message id), as the activity report counts them.
 */
import type { Store } from '@cctap/store';

/** Input tokens billed at the full rate because the prompt cache missed. */
export interface CacheMiss {
  /** Responses that reported a miss. */
  responses: number;
  /** Input tokens the misses cost (responses that name no count add 0). */
  tokens: number;
  byReason: Record<string, { responses: number; tokens: number }>;
}

export function emptyCacheMiss(): CacheMiss {
  // No prototype: a reason is text from the transcript, and `constructor` or `__proto__` must be a key like any other.
  return { responses: 0, tokens: 0, byReason: Object.create(null) as CacheMiss['byReason'] };
}

export function addCacheMiss(into: CacheMiss, reason: string, responses: number, tokens: number): void {
  into.responses += responses;
  into.tokens += tokens;
  const r = (into.byReason[reason] ??= { responses: 0, tokens: 0 });
  r.responses += responses;
  r.tokens += tokens;
}

const sessionKey = (host: string, sessionId: string): string => `${host}\u001f${sessionId}`;

/** Misses of the sessions `where` selects (a condition on host and session_id), keyed by sessionKey. */
export async function cacheMissesBySession(
  store: Store,
  where: string,
  params: Record<string, unknown>,
): Promise<Map<string, CacheMiss>> {
  const rows = await store.query<{
    host: string;
    session_id: string;
    reason: string;
    responses: number;
    tokens: number;
  }>(
    `SELECT host, session_id, reason, count() AS responses, sum(tokens) AS tokens FROM (
       SELECT host, session_id, cache_miss_reason AS reason, any(cache_miss_tokens) AS tokens FROM events
       WHERE type = 'assistant' AND cache_miss_reason != '' AND ${where}
       GROUP BY host, session_id, reason,
         if(JSONExtractString(payload, 'messageId') = '', toString(id), JSONExtractString(payload, 'messageId'))
     ) GROUP BY host, session_id, reason ORDER BY reason`,
    params,
    { readOnly: true, reusable: true },
  );
  const out = new Map<string, CacheMiss>();
  for (const m of rows) {
    const k = sessionKey(m.host, m.session_id);
    const into = out.get(k) ?? emptyCacheMiss();
    out.set(k, into);
    addCacheMiss(into, m.reason, Number(m.responses), Number(m.tokens));
  }
  return out;
}
