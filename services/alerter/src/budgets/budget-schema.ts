/**
 * The `budgets:` section of the alerter's configuration file:
 *
 *   budgets:
 *     - name: eng-monthly
 *       amount: 1000              USD per period, for each subject of the scope
 *       scope: team               user | team | project | everyone
 *       label: team               scope team: the host label naming the team (collector --labels team=payments)
 *       only: payments            optional: this one user / team / project instead of each of them
 *       period: monthly           daily | weekly (Monday first) | monthly, calendar periods
 *       timeZone: Europe/Berlin   IANA zone of the calendar; default UTC
 *       forecastAfter: 0.1        share of the period that must pass before a projection may alert
 *       receivers: [ops]          optional; default every receiver
 *
 * The alerter alerts once per period at 50%, 80% and 100% of the amount, and once when the spend is on course
 * to overrun it (@cctap/reports budget-projection.ts has the rule).
 */
import { BUDGET_PERIODS, BUDGET_SCOPES, DEFAULT_FORECAST_AFTER, isTimeZone, type BudgetSpec } from '@cctap/reports';
import { z } from 'zod';

export const budgetSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _ (at most 64 characters)'),
    amount: z.number().positive('a positive amount of USD'),
    scope: z.enum(BUDGET_SCOPES),
    period: z.enum(BUDGET_PERIODS),
    timeZone: z
      .string()
      .refine(isTimeZone, {
        error: (iss) => `not an IANA time zone such as UTC or Europe/Berlin: ${String(iss.input)}`,
      })
      .default('UTC'),
    label: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'a label name as given to --labels')
      .optional(),
    only: z.string().min(1).optional(),
    forecastAfter: z
      .number()
      .gt(0, 'a share of the period above 0')
      .lt(1, 'a share of the period below 1')
      .default(DEFAULT_FORECAST_AFTER),
    receivers: z.array(z.string()).optional(),
  })
  .superRefine((b, ctx) => {
    if (b.label !== undefined && b.scope !== 'team')
      ctx.addIssue({ code: 'custom', path: ['label'], message: 'only scope team reads a host label' });
    if (b.only !== undefined && b.scope === 'everyone')
      ctx.addIssue({ code: 'custom', path: ['only'], message: 'scope everyone has no subjects to pick from' });
  })
  .transform((b): BudgetConfig => ({
    name: b.name,
    amount: b.amount,
    scope: b.scope,
    period: b.period,
    timeZone: b.timeZone,
    label: b.label ?? 'team',
    only: b.only ?? null,
    forecastAfter: b.forecastAfter,
    ...(b.receivers ? { receivers: b.receivers } : {}),
  }));

export interface BudgetConfig extends BudgetSpec {
  /** Receiver names; omitted: every receiver. */
  receivers?: string[];
}
