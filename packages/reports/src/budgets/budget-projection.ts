/**
 * Spend against a budget, and where it is heading: the one rule the alerter alerts on and `cctap report
 * budgets` shows.
 *
 * Projection: linear over the period. Spend so far divided by the share of the period elapsed is the spend at
 * its end if the pace holds (`projected = spent / elapsed`). It is only made once `forecastAfter` of the period
 * has passed (default 10%: 2.4 h of a day, about 17 h of a week, 3 days of a month): a $40 first hour of a
 * $1,000 day is no evidence of a $960 day. A budget is "on course to overrun" when the projection is above its
 * amount while the spend is still below it (at or above it the 100% threshold has said more already).
 *
 * Thresholds: 50%, 80% and 100% of the amount, each told once per period.
 */
import type { BudgetSpec } from './budget-spec.js';
import { periodAt, zonedParts, type CalendarPeriod } from './calendar-period.js';

const BUDGET_THRESHOLDS = [0.5, 0.8, 1] as const;

export interface BudgetStatus {
  spent: number;
  amount: number;
  /** spent / amount. */
  fraction: number;
  period: CalendarPeriod;
  /** Share of the period elapsed at `now`, 0 … 1. */
  elapsed: number;
  /** Spend at the period's end at the current pace; null until `forecastAfter` of the period passed. */
  projected: number | null;
  /** The projection exceeds the amount while the spend does not yet. */
  overrunProjected: boolean;
}

export function budgetStatus(
  spec: Pick<BudgetSpec, 'amount' | 'period' | 'timeZone' | 'forecastAfter'>,
  spent: number,
  now: number,
  period: CalendarPeriod = periodAt(spec.period, spec.timeZone, now),
): BudgetStatus {
  const elapsed = Math.min(1, Math.max(0, (now - period.start) / (period.end - period.start)));
  const projected = elapsed > 0 && elapsed >= spec.forecastAfter ? spent / elapsed : null;
  return {
    spent,
    amount: spec.amount,
    fraction: spent / spec.amount,
    period,
    elapsed,
    projected,
    overrunProjected: projected !== null && projected > spec.amount && spent < spec.amount,
  };
}

/** The thresholds (fractions of the amount) the spend has reached. */
export function reachedThresholds(spent: number, amount: number): number[] {
  return BUDGET_THRESHOLDS.filter((t) => spent >= t * amount);
}

/** `$1,240` from 100 up, `$12.50` below. */
export function formatUsd(usd: number): string {
  return `$${usd.toLocaleString('en-US', {
    minimumFractionDigits: usd >= 100 ? 0 : 2,
    maximumFractionDigits: usd >= 100 ? 0 : 2,
  })}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** The period's last day in its zone, as "the 28th". */
function lastDayWords(period: CalendarPeriod, timeZone: string): string {
  return `the ${ordinal(zonedParts(period.end - 1, timeZone).d)}`;
}

/** One line: "budget eng: on course for $1,240 of $1,000 by the 28th" (with the subject when there is one). */
export function forecastLine(name: string, subject: string | null, s: BudgetStatus, timeZone: string): string {
  return `budget ${name}${subject && subject !== 'everyone' ? ` (${subject})` : ''}: on course for ${formatUsd(
    s.projected ?? s.spent,
  )} of ${formatUsd(s.amount)} by ${lastDayWords(s.period, timeZone)}`;
}

/** One line: "budget eng (alice): $512 of $1,000 spent (50%), period ends the 31st". */
export function thresholdLine(
  name: string,
  subject: string | null,
  threshold: number,
  s: BudgetStatus,
  timeZone: string,
): string {
  return `budget ${name}${subject && subject !== 'everyone' ? ` (${subject})` : ''}: ${formatUsd(s.spent)} of ${formatUsd(
    s.amount,
  )} spent (${Math.round(threshold * 100)}% reached), period ends ${lastDayWords(s.period, timeZone)}`;
}
