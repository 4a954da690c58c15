/**
 * The activity and budgets sections of the web page, from the same report functions as `cctap report activity`
 * and `cctap report budgets`. Each answers a small table the page shows as it is, or says why it has none.
 */
import { activityReport, budgetReport, formatUsd, machineTimeZone, type BudgetSpec } from '@cctap/reports';
import type { Store } from '@cctap/store';
import { dayIn } from './page-data.js';

export interface Panel {
  available: boolean;
  /** Why there is nothing to show (available: false). */
  reason?: string;
  rows?: Record<string, string | number>[];
}

const ACTIVITY_DAYS = 14;

/** What the sessions did on each of the last two weeks' days, newest first. */
export async function activityPanel(store: Store, now = Date.now(), tz = machineTimeZone()): Promise<Panel> {
  const until = dayIn(tz, now);
  const since = dayIn(tz, Date.parse(`${until}T12:00:00Z`) - (ACTIVITY_DAYS - 1) * 86_400_000);
  const r = await activityReport(store, { since, until, tz, period: 'day' });
  const rows = [...r.rows].reverse().map((a) => ({
    day: String(a.period),
    sessions: a.sessions,
    prompts: a.prompts,
    turns: a.turns,
    'tool calls': a.toolCalls,
    'tool errors': a.toolErrors,
    denials: a.denials,
    'active min': Math.round(a.activeMs / 60_000),
    files: a.filesTouched,
    'lines +/-': `+${a.linesAdded} / -${a.linesRemoved}`,
    commits: a.commits,
    PRs: a.pullRequests,
  }));
  return { available: true, rows };
}

/** Each budget of the rules file against this period's spend; unavailable when `up` was given no budgets. */
export async function budgetsPanel(
  store: Store,
  budgets: (() => Promise<readonly BudgetSpec[]>) | null,
  now = Date.now(),
): Promise<Panel> {
  const specs = budgets ? await budgets() : [];
  if (specs.length === 0)
    return { available: false, reason: 'no budgets: add budgets: to the rules file given to cctap up --rules FILE' };
  const r = await budgetReport(store, specs, now);
  return {
    available: true,
    rows: r.budgets.map((b) => ({
      budget: b.budget,
      subject: b.subject ?? '–',
      period: `${b.period} from ${b.periodStart.slice(0, 10)}`, // periodEnd is the next period's start
      spent: formatUsd(b.spent),
      amount: formatUsd(b.amount),
      '%': b.percent,
      projected: b.projected === null ? '–' : formatUsd(b.projected),
      forecast: b.forecast ?? '',
    })),
  };
}
