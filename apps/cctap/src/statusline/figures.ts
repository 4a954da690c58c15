/**
 * The figures of the status line, answered by a running `cctap up` from its store with the report functions
 * themselves (`cctap report session|daily|blocks`), so the line and the reports can never disagree:
 * this session's cost, today's cost in the caller's time zone, and the active 5-hour block.
 */
import { blocksReport, machineTimeZone, periodReport } from '@cctap/reports';
import type { Store } from '@cctap/store';

export interface StatuslineQuery {
  sessionId: string;
  /** IANA zone of the caller: "today" is its day; '' for the zone of this machine (the caller's too). */
  tz: string;
}

export interface BlockFigures {
  costUsd: number | null;
  /** ISO end of the block. */
  endTime: string;
  costPerHour: number | null;
  tokensPerMinute: number | null;
}

export interface StatuslineFigures {
  /** USD of the session's priced responses; null when the store has none of the session yet. */
  sessionCostUsd: number | null;
  todayCostUsd: number | null;
  /** The active block; null when none is active. */
  block: BlockFigures | null;
  priceBook: string | null;
}

const DAY = 86_400_000;

function dayIn(tz: string, ms: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    ms,
  );
}

export async function statuslineFigures(
  store: Store,
  query: StatuslineQuery,
  now = Date.now(),
): Promise<StatuslineFigures> {
  const q = { ...query, tz: query.tz || machineTimeZone() };
  const today = dayIn(q.tz, now);
  const [sessions, daily, blocks] = await Promise.all([
    periodReport(store, 'session', { tz: q.tz }),
    periodReport(store, 'daily', { tz: q.tz, since: today, until: today }),
    // A block lasts 5 hours: yesterday and today hold every entry of the active one.
    blocksReport(store, { tz: q.tz, since: dayIn(q.tz, now - DAY), now }),
  ]);
  const session = sessions.rows.find((r) => r.sessionId === q.sessionId);
  const active = blocks.blocks.find((b) => b.isActive && !b.isGap);
  return {
    sessionCostUsd: session ? session.totalCost : null,
    todayCostUsd: daily.totals.totalCost,
    block: active
      ? {
          costUsd: active.costUSD,
          endTime: active.endTime,
          costPerHour: active.burnRate?.costPerHour ?? null,
          tokensPerMinute: active.burnRate?.tokensPerMinute ?? null,
        }
      : null,
    priceBook: daily.priceBook,
  };
}
