/**
 * Numbers from the store for the status line (today's tokens and cost, in the local time zone) and for the
 * final summary (everything stored). Both read the deduplicated tables through the report functions, so
 * they agree with `cctap report`.
 */
import { machineTimeZone, periodReport } from '@cctap/reports';
import type { Store } from '@cctap/store';

const fmt = (n: number) => n.toLocaleString('en-US');
/**
 * No usage costs $0.00 (a report over no rows has no cost at all, which is not "unpriced"); usage without a
 * price is `unpriced`, and a partly priced sum says so.
 */
const usd = (tokens: number, n: number | null, unpricedModels?: readonly string[]) =>
  tokens === 0
    ? '$0.00'
    : n === null
      ? 'unpriced'
      : `$${n.toFixed(2)}${unpricedModels?.length ? ` + unpriced (${unpricedModels.join(', ')})` : ''}`;

export async function todayLine(
  store: Store,
  activeSessions: number,
): Promise<{ text: string; fields: Record<string, unknown> }> {
  const tz = machineTimeZone();
  const day = new Date().toLocaleDateString('en-CA', { timeZone: tz });
  const r = await periodReport(store, 'daily', { since: day, until: day, tz });
  const tokens = r.totals.totalTokens;
  return {
    text: `${activeSessions} active sessions · today ${fmt(tokens)} tokens · ${usd(tokens, r.totals.totalCost, r.totals.unpricedModels)}`,
    fields: { activeSessions, todayTokens: tokens, todayCostUsd: tokens === 0 ? 0 : r.totals.totalCost },
  };
}

export interface StoreTotals {
  events: number;
  sessions: number;
  tokens: number;
  costUsd: number | null;
  /** The price book the cost comes from (null before the first sync). */
  priceBook: string | null;
}

export async function storeTotals(store: Store): Promise<StoreTotals> {
  const [row] = await store.query<{ events: number; sessions: number }>(
    "SELECT uniqExact(id) AS events, uniqExactIf((host, session_id), session_id != '') AS sessions FROM events WHERE type != 'heartbeat'",
  );
  const r = await periodReport(store, 'monthly', { tz: 'UTC' });
  return {
    events: row?.events ?? 0,
    sessions: row?.sessions ?? 0,
    tokens: r.totals.totalTokens,
    costUsd: r.totals.totalCost,
    priceBook: r.priceBook,
  };
}

export function totalsLine(t: StoreTotals): string {
  return `store: ${fmt(t.events)} events, ${fmt(t.sessions)} sessions, ${fmt(t.tokens)} tokens, ${usd(t.tokens, t.costUsd)}${t.priceBook ? ` (prices: book ${t.priceBook})` : ''}`;
}
