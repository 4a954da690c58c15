/**
 * The calendar period (day, Monday-first week, month) holding an instant, in an IANA zone: its start and end
 * as epoch ms. Midnights are found through the zone's offset at that moment, so days of 23 or 25 hours (DST
 * changes) end where the zone's calendar says.
 */
import type { BudgetPeriod } from './budget-spec.js';

export interface CalendarPeriod {
  /** Epoch ms of the period's first instant. */
  start: number;
  /** Epoch ms of the next period's first instant (exclusive end). */
  end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
export function zonedParts(
  ms: number,
  timeZone: string,
): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

/** How far the zone's wall clock is ahead of UTC at an instant, ms. */
function offsetAt(ms: number, timeZone: string): number {
  const z = zonedParts(ms, timeZone);
  return Date.UTC(z.y, z.m - 1, z.d, z.h, z.mi, z.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant of 00:00 on a calendar day in the zone (fields may overflow: day 32 is the next month's 1st). */
function zonedMidnight(y: number, m: number, d: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d);
  const first = wall - offsetAt(wall, timeZone);
  // The offset at the guess may differ from the one at the real instant (a DST change in between).
  return wall - offsetAt(first, timeZone);
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function periodAt(period: BudgetPeriod, timeZone: string, ms: number): CalendarPeriod {
  const { y, m, d } = zonedParts(ms, timeZone);
  switch (period) {
    case 'daily':
      return { start: zonedMidnight(y, m, d, timeZone), end: zonedMidnight(y, m, d + 1, timeZone) };
    case 'weekly': {
      // ISO weekday of the local date: Monday 0 … Sunday 6.
      const back = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
      return { start: zonedMidnight(y, m, d - back, timeZone), end: zonedMidnight(y, m, d - back + 7, timeZone) };
    }
    case 'monthly':
      return { start: zonedMidnight(y, m, 1, timeZone), end: zonedMidnight(y, m + 1, 1, timeZone) };
  }
}
