/**
 * The delay before retry number `attempt` (1 for the first retry): `baseMs * 2^(attempt - 1)`, capped at
 * `capMs`, then jittered.
 *
 * - `none`: exactly that; for a single retrier whose delays a user reads in a log line.
 * - `full`: uniform in [0, delay]; many clients retrying against one server spread out instead of arriving together.
 * - `equal`: uniform in [delay / 2, delay]; spread out, but never retried at once.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  jitter: 'none' | 'full' | 'equal';
}

export function backoffDelay(attempt: number, p: BackoffPolicy, random: () => number = Math.random): number {
  // The exponent is bounded so the product stays finite whatever the attempt count.
  const d = Math.min(p.capMs, p.baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 52));
  if (p.jitter === 'none') return d;
  if (p.jitter === 'full') return Math.round(random() * d);
  return Math.round(d / 2 + (random() * d) / 2);
}
