/**
 * Spend per budget, subject and period from the cost the alerter puts on every assistant response
 * (engine/central-cost.ts), and the budget alerts: once per period each at 50%, 80% and 100% of the amount,
 * and once when the spend is on course to overrun it (the rule: @cctap/reports budget-projection.ts).
 *
 * Only the current period of each budget is counted: a response dated in an earlier period (a backfill of old
 * transcripts, a late line) changes nothing, one of the current period counts however late it arrives. A
 * state whose period ended is dropped; its alerts resolve at that moment (their `resolveAfter` is the time
 * left in the period when they fire).
 *
 * The alerts go through the dispatcher as rule `budget` (silence them with `rule=budget`, or one budget with
 * `budget=<name>`); each carries the budget, its subject, spent, projected, amount and period end as labels,
 * spent and the threshold's amount as the evidence's value and threshold.
 *
 * Writes: a state that changed is written on the next `flush()` (every tick, and at stop), not per response,
 * so a backfill of a month costs a write per second, not one per response. A crash loses at most the spend
 * of that last second; a graceful stop loses nothing.
 */
import { createHash } from 'node:crypto';
import { replacesKept, responseKey, responseTokenTotal, type PayloadOf } from '@cctap/events';
import type { Clock, Logger } from '@cctap/kit';
import {
  budgetStatus,
  budgetSubject,
  forecastLine,
  periodAt,
  reachedThresholds,
  thresholdLine,
  type BudgetStatus,
} from '@cctap/reports';
import { emptyEvidence, type EngineInput, type Signal } from '../engine/signal.js';
import type { Rule, Severity } from '../rules/rule-schema.js';
import type { BudgetConfig } from './budget-schema.js';
import { RECENT_RESPONSES, type BudgetPeriodState, type BudgetStateStore } from './budget-state.js';

/** The rule name every budget alert carries. */
const BUDGET_RULE = 'budget';

const SEVERITY_OF: Record<string, Severity> = { '50%': 'info', '80%': 'warning', '100%': 'critical' };
const FORECAST = 'forecast';
const FORECAST_SEVERITY: Severity = 'warning';

export interface BudgetTrackerOptions {
  clock: Clock;
  store: BudgetStateStore;
  /** The budgets in effect now (they follow rule file reloads). */
  budgets: () => readonly BudgetConfig[];
  log: Logger;
}

const stateKey = (budget: string, subject: string, periodStart: number) =>
  `${budget}\u001f${subject}\u001f${periodStart}`;
const hashKey = (k: string) => createHash('sha256').update(k).digest('base64url').slice(0, 16);
const tellName = (t: number) => `${Math.round(t * 100)}%`;
const iso = (ms: number) => new Date(ms).toISOString();
const round2 = (n: number) => String(Math.round(n * 100) / 100);

export class BudgetTracker {
  readonly #o: BudgetTrackerOptions;
  readonly #states = new Map<string, BudgetPeriodState>();
  readonly #dirty = new Set<string>();
  readonly #deleted = new Set<string>();

  constructor(o: BudgetTrackerOptions) {
    this.#o = o;
  }

  /** The states counted so far (tests, health). */
  get states(): ReadonlyMap<string, BudgetPeriodState> {
    return this.#states;
  }

  /** Loads the stored states; those of ended periods are dropped. */
  async recover(): Promise<number> {
    const now = this.#o.clock.now();
    for (const s of await this.#o.store.load()) {
      if (s.periodEnd <= now) this.#drop(s.key);
      else this.#states.set(s.key, s);
    }
    return this.#states.size;
  }

  /** Counts one input (assistant responses with a price; anything else is ignored) and says what is due. */
  observe(input: EngineInput): Signal[] {
    if (input.source !== 'events' || input.type !== 'assistant') return [];
    const p = input.payload as PayloadOf<'assistant'> & { cost?: { usd: number; unpriced: boolean } };
    if (!p.cost || p.cost.unpriced || p.synthetic) return [];
    const budgets = this.#o.budgets();
    if (budgets.length === 0) return [];
    const now = this.#o.clock.now();
    const ts = Date.parse(input.ts);
    const rkey = hashKey(
      responseKey({
        sessionId: input.sessionId ?? '',
        id: input.id,
        lineUuid: null,
        payload: { messageId: p.messageId, requestId: p.requestId },
      }),
    );
    const tokens = responseTokenTotal(p.usage);
    const out: Signal[] = [];
    for (const b of budgets) {
      const subject = budgetSubject(b, input);
      if (subject === null) continue;
      const period = periodAt(b.period, b.timeZone, now);
      if (ts < period.start || ts >= period.end) continue;
      const key = stateKey(b.name, subject, period.start);
      let s = this.#states.get(key);
      if (!s) {
        s = {
          key,
          budget: b.name,
          subject,
          periodStart: period.start,
          periodEnd: period.end,
          spent: 0,
          responses: {},
          told: [],
        };
        this.#states.set(key, s);
        this.#deleted.delete(key);
      }
      const kept = s.responses[rkey];
      if (kept && !replacesKept({ totalTokens: tokens, tsMs: ts }, { totalTokens: kept[1], tsMs: kept[2] })) continue;
      s.spent += p.cost.usd - (kept?.[0] ?? 0);
      // Re-inserted last: the object's key order is the recency order the cap evicts by.
      delete s.responses[rkey];
      s.responses[rkey] = [p.cost.usd, tokens, ts];
      const keys = Object.keys(s.responses);
      for (let i = 0; i < keys.length - RECENT_RESPONSES; i++) delete s.responses[keys[i]!];
      this.#dirty.add(key);
      out.push(...this.#due(b, s, now));
    }
    return out;
  }

  /** Drops ended periods and tells forecasts that became due with time (the projection waits for forecastAfter). */
  tick(): Signal[] {
    const now = this.#o.clock.now();
    const budgets = new Map(this.#o.budgets().map((b) => [b.name, b]));
    const out: Signal[] = [];
    for (const s of [...this.#states.values()]) {
      const b = budgets.get(s.budget);
      if (s.periodEnd <= now || !b) {
        this.#drop(s.key);
        continue;
      }
      out.push(...this.#due(b, s, now));
    }
    return out;
  }

  /** Writes the states that changed and deletes those dropped since the last flush. */
  async flush(): Promise<void> {
    const dirty = [...this.#dirty];
    const deleted = [...this.#deleted];
    this.#dirty.clear();
    this.#deleted.clear();
    for (const key of dirty) {
      const s = this.#states.get(key);
      if (!s) continue;
      try {
        await this.#o.store.put(structuredClone(s));
      } catch (err) {
        this.#dirty.add(key);
        this.#o.log.warn('could not write a budget state; retrying on the next tick', { budget: s.budget, err });
      }
    }
    for (const key of deleted) {
      await this.#o.store.delete(key).catch((err: unknown) => {
        this.#deleted.add(key);
        this.#o.log.warn('could not delete an ended budget period; retrying on the next tick', { err });
      });
    }
  }

  #drop(key: string): void {
    this.#states.delete(key);
    this.#dirty.delete(key);
    this.#deleted.add(key);
  }

  /** Signals for what the state reached and was not told yet this period (marked told at once). */
  #due(b: BudgetConfig, s: BudgetPeriodState, now: number): Signal[] {
    const status = budgetStatus(b, s.spent, now, { start: s.periodStart, end: s.periodEnd });
    const out: Signal[] = [];
    for (const t of reachedThresholds(status.spent, b.amount)) {
      const name = tellName(t);
      if (s.told.includes(name)) continue;
      s.told.push(name);
      this.#dirty.add(s.key);
      out.push(
        this.#signal(b, s, status, name, thresholdLine(b.name, s.subject, t, status, b.timeZone), t * b.amount, now),
      );
    }
    if (status.overrunProjected && !s.told.includes(FORECAST)) {
      s.told.push(FORECAST);
      this.#dirty.add(s.key);
      out.push(
        this.#signal(b, s, status, FORECAST, forecastLine(b.name, s.subject, status, b.timeZone), b.amount, now),
      );
    }
    return out;
  }

  #signal(
    b: BudgetConfig,
    s: BudgetPeriodState,
    status: BudgetStatus,
    told: string,
    summary: string,
    threshold: number,
    now: number,
  ): Signal {
    const severity = SEVERITY_OF[told] ?? FORECAST_SEVERITY;
    const rule: Rule = {
      kind: 'match',
      name: BUDGET_RULE,
      description: `Spend against budget ${b.name} (${b.scope}, ${b.period}, ${b.timeZone}): ${told === FORECAST ? 'projected overrun' : `${told} of the amount reached`}.`,
      enabled: true,
      severity,
      source: 'events',
      types: ['assistant'],
      where: [],
      whereAny: [],
      groupBy: [],
      summary,
      ...(b.receivers ? { receivers: b.receivers } : {}),
      groupWait: 0,
      // Told once; it resolves when its period ends.
      repeatInterval: s.periodEnd - s.periodStart,
      resolveAfter: Math.max(1000, s.periodEnd - now),
    };
    const evidence = emptyEvidence();
    evidence.ts = iso(now);
    evidence.value = Math.round(status.spent * 100) / 100;
    evidence.threshold = threshold;
    if (b.scope === 'user') evidence.user = s.subject;
    if (b.scope === 'project') evidence.project = s.subject;
    return {
      status: 'firing',
      rule,
      severity,
      key: `${BUDGET_RULE}|${b.name}|${s.subject}|${iso(s.periodStart)}|${told}`,
      labels: {
        budget: b.name,
        scope: b.scope,
        subject: s.subject,
        period: b.period,
        threshold: told,
        amount: round2(b.amount),
        spent: round2(status.spent),
        projected: status.projected === null ? '' : round2(status.projected),
        periodStart: iso(s.periodStart),
        periodEnd: iso(s.periodEnd),
      },
      occurrence: true,
      evidence,
    };
  }
}
