/**
 * The max rule for token usage (transcript-format.md section 7, docs/accuracy.md), in one place for every
 * TypeScript reader: the transcript's UsageLedger (status line), the analyzer's per-session totals, and the
 * sink's usage rows, whose `version` column (migration 002) is the same order in SQL.
 *
 * Claude Code writes one line per content block of an API response, each repeating a usage object that may
 * be a placeholder. The lines of one response share a key; of them, the ONE line with the largest token
 * total counts (never a sum), the earliest on a tie.
 *   key = (messageId, requestId)       when both are known (global: resume copies and subagent replays in
 *                                      other files and sessions are the same response)
 *       = (sessionId, messageId)       when the request id is missing (scoped: gateways reuse message ids)
 *       = the line (uuid, else the event id) when the line has no message id
 */

/** What the key is made of (an `assistant` event has all of it). */
export interface ResponseLine {
  sessionId: string;
  id: string;
  lineUuid: string | null;
  payload: { messageId: string | null; requestId: string | null };
}

export function responseKey(line: ResponseLine): string {
  const { messageId, requestId } = line.payload;
  if (messageId !== null && requestId !== null) return `r\u001f${messageId}\u001f${requestId}`;
  if (messageId !== null) return `s\u001f${line.sessionId}\u001f${messageId}`;
  return `l\u001f${line.lineUuid ?? line.id}`;
}

/** The token total the rule compares: the four billed kinds, as ccusage does. */
export function responseTokenTotal(u: {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}): number {
  return u.input + u.output + u.cacheCreation + u.cacheRead;
}

/** One line of a response as the rule ranks it: its token total and its time (epoch ms). */
export interface RankedLine {
  totalTokens: number;
  tsMs: number;
}

/** Bounds of the SQL `version` (migration 002): the total in 23 bits, ms since 2020 in 41 bits. */
const MAX_TOTAL = 8_388_607;
const EPOCH_2020 = 1_577_836_800_000;
const MAX_MS = 2_199_023_255_551;

const totalRank = (n: number) => Math.min(n, MAX_TOTAL);
const timeRank = (ms: number) => Math.min(Math.max(ms - EPOCH_2020, 0), MAX_MS);

/** True when `candidate` replaces the `kept` line of the same response: a larger total, or as large and earlier. */
export function replacesKept(candidate: RankedLine, kept: RankedLine): boolean {
  const a = totalRank(candidate.totalTokens);
  const b = totalRank(kept.totalTokens);
  if (a !== b) return a > b;
  return timeRank(candidate.tsMs) < timeRank(kept.tsMs);
}
