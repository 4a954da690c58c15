/**
 * `cctap report session --id <session>`: each deduplicated API response of one session, ccusage's `session --id`
 * shape: `{ sessionId, totalCost, totalTokens, entries: [{ timestamp, inputTokens, outputTokens,
 * cacheCreationTokens, cacheReadTokens, model, costUSD }] }`. An unpriced response has `costUSD: null` (ccusage
 * would print 0) and is named in `unpricedModels`.
 */
import type { Store } from '@cctap/store';
import { storedBookVersion } from './price-book-version.js';
import { RESPONSE_ENTRY_COLUMNS, responsesSql, type ResponseEntryRow } from '@cctap/store/light';
import { roundUsd } from './usage-totals.js';
import { addCacheMiss, cacheMissesBySession, emptyCacheMiss, type CacheMiss } from './session-cache-miss.js';

export interface SessionEntry {
  timestamp: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  model: string;
  costUSD: number | null;
}

export interface SessionEntries {
  sessionId: string;
  totalCost: number | null;
  totalTokens: number;
  entries: SessionEntry[];
  unpricedModels?: string[];
  priceBook: string | null;
  /** Not a ccusage field: input tokens lost to prompt-cache misses, by reason. */
  cacheMiss: CacheMiss;
}

/** null when the store has no usage of that session. */
export async function sessionEntries(store: Store, sessionId: string): Promise<SessionEntries | null> {
  const [rows, priceBook, misses] = await Promise.all([
    store.query<ResponseEntryRow>(
      `SELECT ${RESPONSE_ENTRY_COLUMNS}
       FROM (${responsesSql()})
       -- Filtered after the dedup, not before: which copy of a response wins (and so its session) is the
       -- same answer the other reports see.
       WHERE session_id = {id:String}
       ORDER BY ts, event_id`,
      { id: sessionId },
      { reusable: true },
    ),
    storedBookVersion(store),
    cacheMissesBySession(store, 'session_id = {id:String}', { id: sessionId }),
  ]);
  if (rows.length === 0) return null;
  const entries = rows.map((r) => ({
    timestamp: new Date(Number(r.ms)).toISOString(),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    cacheCreationTokens: Number(r.cache_creation_tokens),
    cacheReadTokens: Number(r.cache_read_tokens),
    model: r.model,
    costUSD: r.cost === null ? null : roundUsd(Number(r.cost)),
  }));
  const priced = entries.filter((e) => e.costUSD !== null);
  const unpriced = [...new Set(entries.filter((e) => e.costUSD === null).map((e) => e.model))].sort();
  return {
    sessionId,
    totalCost: priced.length > 0 ? roundUsd(priced.reduce((s, e) => s + e.costUSD!, 0)) : null,
    totalTokens: entries.reduce(
      (s, e) => s + e.inputTokens + e.outputTokens + e.cacheCreationTokens + e.cacheReadTokens,
      0,
    ),
    entries,
    ...(unpriced.length > 0 ? { unpricedModels: unpriced } : {}),
    priceBook,
    cacheMiss: mergeHosts(misses.values()),
  };
}

/** One session id on several hosts (rare: the same transcript collected twice) is one session here. */
function mergeHosts(perHost: Iterable<CacheMiss>): CacheMiss {
  const out = emptyCacheMiss();
  for (const m of perHost)
    for (const [reason, r] of Object.entries(m.byReason)) addCacheMiss(out, reason, r.responses, r.tokens);
  return out;
}
