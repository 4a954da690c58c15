/**
 * A spending budget as the alerter's configuration declares it (`budgets:` in the rules file) and as
 * `cctap report budgets` and the alerter both read it: one definition, so the alert and the report speak
 * of the same period and the same spend.
 */

/** Whose spend a budget counts: each user, each team (a host label), each project, or everyone together. */
export const BUDGET_SCOPES = ['user', 'team', 'project', 'everyone'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/** Calendar periods (in the budget's zone); weeks start on Monday. */
export const BUDGET_PERIODS = ['daily', 'weekly', 'monthly'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** Share of a period that must have passed before a projection may alert (the first hours prove nothing). */
export const DEFAULT_FORECAST_AFTER = 0.1;

export interface BudgetSpec {
  name: string;
  /** USD per period, for each user / team / project of the scope (or for everyone). */
  amount: number;
  scope: BudgetScope;
  period: BudgetPeriod;
  /** IANA zone of the period's calendar; UTC by default. */
  timeZone: string;
  /** Scope team: the host label that names the team (`cctap collect --labels team=payments`). */
  label: string;
  /** One user, team or project only; null: each of them has a budget of `amount`. */
  only: string | null;
  /** See DEFAULT_FORECAST_AFTER. */
  forecastAfter: number;
}

/** The subject a priced response counts for under a budget's scope, or null when it counts for none. */
export function budgetSubject(
  spec: Pick<BudgetSpec, 'scope' | 'label' | 'only'>,
  r: { user: string | null; project: string | null; labels?: Readonly<Record<string, string>> | undefined },
): string | null {
  const subject =
    spec.scope === 'everyone'
      ? 'everyone'
      : spec.scope === 'user'
        ? r.user
        : spec.scope === 'project'
          ? r.project
          : (r.labels?.[spec.label] ?? null);
  if (subject === null || subject === '') return null;
  return spec.only === null || spec.only === subject ? subject : null;
}
