/**
 * `cctap report budgets`: each budget's spend in its current period, from the store's deduplicated, priced
 * usage (the same `responsesSql` every report reads), with the projection of budget-projection.ts. Plain JSON
 * rows: one per budget and subject (user, team, project; one row for `everyone` or a budget of one subject);
 * a per-subject budget nobody spent against yet has one row with subject null and $0.
 *
 * Team: the host label named by the budget (`labels[team]`) on the event of the response's kept line, as the
 * alerter reads it from that event.
 */
import type { Store } from '@cctap/store';
import { responsesSql } from '@cctap/store/light';
import { budgetStatus, forecastLine } from './budget-projection.js';
import type { BudgetSpec } from './budget-spec.js';
import { periodAt } from './calendar-period.js';
import { storedBookVersion } from '../price-book-version.js';

export interface BudgetRow {
  budget: string;
  scope: BudgetSpec['scope'];
  /** The user, team or project; `everyone` for that scope; null: nobody spent against it this period. */
  subject: string | null;
  period: BudgetSpec['period'];
  timeZone: string;
  amount: number;
  spent: number;
  /** spent / amount, in percent. */
  percent: number;
  periodStart: string;
  periodEnd: string;
  /** Share of the period elapsed, 0 … 1. */
  elapsed: number;
  /** Spend at the period's end at the current pace; null before `forecastAfter` of the period passed. */
  projected: number | null;
  overrunProjected: boolean;
  /** "on course for $1,240 of $1,000 by the 28th" when an overrun is projected, else null. */
  forecast: string | null;
}

export interface BudgetReport {
  budgets: BudgetRow[];
  /** When the report was made (ISO); periods and projections are as of then. */
  at: string;
  priceBook: string | null;
}

const SUBJECT_SQL = {
  user: 'r.user',
  project: 'r.project',
  everyone: "'everyone'",
  team: 'e.team',
} as const;

/** Spend by subject of one budget over [start, end). */
async function spendBySubject(
  store: Store,
  spec: BudgetSpec,
  start: number,
  end: number,
): Promise<{ subject: string; spent: number }[]> {
  const subject = SUBJECT_SQL[spec.scope];
  // Lines of one response are seconds apart: a day of margin keeps all of them for the max rule.
  const prefilter =
    'usage.ts >= fromUnixTimestamp64Milli({start:Int64}) - INTERVAL 1 DAY AND usage.ts < fromUnixTimestamp64Milli({end:Int64}) + INTERVAL 1 DAY';
  const team =
    spec.scope === 'team'
      ? `LEFT JOIN (SELECT id, labels[{label:String}] AS team FROM events
           WHERE type = 'assistant' AND ts >= fromUnixTimestamp64Milli({start:Int64}) - INTERVAL 1 DAY
             AND ts < fromUnixTimestamp64Milli({end:Int64}) + INTERVAL 1 DAY) AS e ON e.id = r.event_id`
      : '';
  const sql = `
    SELECT ${subject} AS subject,
      toFloat64(sumIf(toDecimal128(ifNull(r.cost_usd, 0), 12), NOT r.unpriced)) AS spent
    FROM (${responsesSql(prefilter)}) AS r ${team}
    WHERE toUnixTimestamp64Milli(r.ts) >= {start:Int64} AND toUnixTimestamp64Milli(r.ts) < {end:Int64}
      AND subject != ''${spec.only === null ? '' : ' AND subject = {only:String}'}
    GROUP BY subject
    ORDER BY spent DESC, subject`;
  const rows = await store.query<{ subject: string; spent: number }>(
    sql,
    {
      start,
      end,
      label: spec.label,
      only: spec.only ?? '',
    },
    { reusable: true },
  );
  return rows.map((r) => ({ subject: r.subject, spent: Number(r.spent) }));
}

export async function budgetReport(store: Store, budgets: readonly BudgetSpec[], now: number): Promise<BudgetReport> {
  const out: BudgetRow[] = [];
  for (const spec of budgets) {
    const period = periodAt(spec.period, spec.timeZone, now);
    const rows = await spendBySubject(store, spec, period.start, period.end);
    const subjects: { subject: string | null; spent: number }[] = rows.length
      ? rows
      : [{ subject: spec.scope === 'everyone' ? 'everyone' : spec.only, spent: 0 }];
    for (const { subject, spent } of subjects) {
      const s = budgetStatus(spec, spent, now, period);
      out.push({
        budget: spec.name,
        scope: spec.scope,
        subject,
        period: spec.period,
        timeZone: spec.timeZone,
        amount: spec.amount,
        spent: Math.round(spent * 1e6) / 1e6,
        percent: Math.round(s.fraction * 1000) / 10,
        periodStart: new Date(period.start).toISOString(),
        periodEnd: new Date(period.end).toISOString(),
        elapsed: Math.round(s.elapsed * 1e4) / 1e4,
        projected: s.projected === null ? null : Math.round(s.projected * 100) / 100,
        overrunProjected: s.overrunProjected,
        forecast: s.overrunProjected ? forecastLine(spec.name, subject, s, spec.timeZone) : null,
      });
    }
  }
  return { budgets: out, at: new Date(now).toISOString(), priceBook: await storedBookVersion(store) };
}
