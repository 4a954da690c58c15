import { describe, expect, it } from 'vitest';
import { budgetStatus, forecastLine, formatUsd, reachedThresholds, thresholdLine } from './budget-projection.js';
import { budgetSubject, type BudgetSpec } from './budget-spec.js';
import { periodAt } from './calendar-period.js';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

describe('periodAt', () => {
  it('gives UTC days, Monday-first weeks and months', () => {
    const t = at('2026-02-12T15:30:00Z'); // a Thursday
    expect(iso(periodAt('daily', 'UTC', t).start)).toBe('2026-02-12T00:00:00.000Z');
    expect(iso(periodAt('daily', 'UTC', t).end)).toBe('2026-02-13T00:00:00.000Z');
    expect(iso(periodAt('weekly', 'UTC', t).start)).toBe('2026-02-09T00:00:00.000Z');
    expect(iso(periodAt('weekly', 'UTC', t).end)).toBe('2026-02-16T00:00:00.000Z');
    expect(iso(periodAt('monthly', 'UTC', t).start)).toBe('2026-02-01T00:00:00.000Z');
    expect(iso(periodAt('monthly', 'UTC', t).end)).toBe('2026-03-01T00:00:00.000Z');
    // Sunday belongs to the week that started on Monday; December rolls into the next year.
    expect(iso(periodAt('weekly', 'UTC', at('2026-02-15T23:59:59Z')).start)).toBe('2026-02-09T00:00:00.000Z');
    expect(iso(periodAt('monthly', 'UTC', at('2026-12-31T12:00:00Z')).end)).toBe('2027-01-01T00:00:00.000Z');
  });

  it('follows the zone calendar, DST changes included', () => {
    // 23:30 UTC on the 12th is already the 13th in Berlin (UTC+1 in winter).
    const p = periodAt('daily', 'Europe/Berlin', at('2026-02-12T23:30:00Z'));
    expect(iso(p.start)).toBe('2026-02-12T23:00:00.000Z');
    expect(iso(p.end)).toBe('2026-02-13T23:00:00.000Z');
    // The day the clocks go forward in New York has 23 hours.
    const dst = periodAt('daily', 'America/New_York', at('2026-03-08T12:00:00Z'));
    expect(iso(dst.start)).toBe('2026-03-08T05:00:00.000Z');
    expect(iso(dst.end)).toBe('2026-03-09T04:00:00.000Z');
    const month = periodAt('monthly', 'America/New_York', at('2026-03-20T12:00:00Z'));
    expect(iso(month.start)).toBe('2026-03-01T05:00:00.000Z');
    expect(iso(month.end)).toBe('2026-04-01T04:00:00.000Z');
  });
});

describe('budgetStatus', () => {
  const spec = { amount: 1000, period: 'monthly', timeZone: 'UTC', forecastAfter: 0.1 } as const;

  it('projects linearly over the period elapsed', () => {
    // February 2026 has 28 days; on the 8th at 00:00 a quarter has passed.
    const s = budgetStatus(spec, 310, at('2026-02-08T00:00:00Z'));
    expect(s.elapsed).toBe(0.25);
    expect(s.projected).toBe(1240);
    expect(s.overrunProjected).toBe(true);
    expect(s.fraction).toBeCloseTo(0.31);
    expect(forecastLine('eng', null, s, 'UTC')).toBe('budget eng: on course for $1,240 of $1,000 by the 28th');
  });

  it('makes no projection before forecastAfter of the period passed', () => {
    // The first hour of a day: $100 in it would "project" $2,400.
    const day = { ...spec, period: 'daily' } as const;
    const early = budgetStatus(day, 100, at('2026-02-08T01:00:00Z'));
    expect(early.projected).toBeNull();
    expect(early.overrunProjected).toBe(false);
    // 10% of the day is 2h24m.
    expect(budgetStatus(day, 100, at('2026-02-08T02:23:00Z')).projected).toBeNull();
    expect(budgetStatus(day, 100, at('2026-02-08T02:24:00Z')).projected).toBeCloseTo(1000);
    expect(budgetStatus(day, 101, at('2026-02-08T02:24:00Z')).overrunProjected).toBe(true);
  });

  it('does not call an overrun "projected" once the amount is spent, nor when the pace stays inside it', () => {
    expect(budgetStatus(spec, 1000, at('2026-02-20T00:00:00Z')).overrunProjected).toBe(false);
    expect(budgetStatus(spec, 500, at('2026-02-20T00:00:00Z')).overrunProjected).toBe(false);
  });

  it('reaches 50%, 80% and 100% at those shares of the amount', () => {
    expect(reachedThresholds(499.99, 1000)).toEqual([]);
    expect(reachedThresholds(500, 1000)).toEqual([0.5]);
    expect(reachedThresholds(800, 1000)).toEqual([0.5, 0.8]);
    expect(reachedThresholds(1200, 1000)).toEqual([0.5, 0.8, 1]);
    const s = budgetStatus(spec, 512, at('2026-02-08T00:00:00Z'));
    expect(thresholdLine('eng', 'alice', 0.5, s, 'UTC')).toBe(
      'budget eng (alice): $512 of $1,000 spent (50% reached), period ends the 28th',
    );
  });

  it('formats dollars', () => {
    expect(formatUsd(1240.4)).toBe('$1,240');
    expect(formatUsd(12.5)).toBe('$12.50');
    expect(formatUsd(0)).toBe('$0.00');
  });
});

describe('budgetSubject', () => {
  const base: Pick<BudgetSpec, 'scope' | 'label' | 'only'> = { scope: 'user', label: 'team', only: null };
  const r = { user: 'alice', project: '/p/app', labels: { team: 'payments' } };
  it('names the user, project, team label or everyone', () => {
    expect(budgetSubject(base, r)).toBe('alice');
    expect(budgetSubject({ ...base, scope: 'project' }, r)).toBe('/p/app');
    expect(budgetSubject({ ...base, scope: 'team' }, r)).toBe('payments');
    expect(budgetSubject({ ...base, scope: 'everyone' }, r)).toBe('everyone');
  });
  it('counts nothing without the subject, or for another one than `only`', () => {
    expect(budgetSubject({ ...base, scope: 'team' }, { ...r, labels: {} })).toBeNull();
    expect(budgetSubject(base, { ...r, user: null })).toBeNull();
    expect(budgetSubject({ ...base, only: 'bob' }, r)).toBeNull();
    expect(budgetSubject({ ...base, only: 'alice' }, r)).toBe('alice');
  });
});
