import { describe, expect, it } from 'vitest';
import { silentLogger } from '@cctap/kit';
import { ManualClock } from '@cctap/kit/internal';
import type { EngineInput } from '../engine/signal.js';
import type { BudgetConfig } from './budget-schema.js';
import { MemoryBudgetStateStore } from './budget-state.js';
import { BudgetTracker } from './budget-tracker.js';

const budget = (o: Partial<BudgetConfig> = {}): BudgetConfig => ({
  name: 'eng',
  amount: 100,
  scope: 'user',
  period: 'monthly',
  timeZone: 'UTC',
  label: 'team',
  only: null,
  forecastAfter: 0.1,
  ...o,
});

let n = 0;
/** A priced assistant response line (cost as engine/central-cost.ts puts it). */
function response(
  usd: number,
  o: { ts: string; user?: string; messageId?: string; tokens?: number; labels?: Record<string, string> },
): EngineInput {
  n++;
  return {
    source: 'events',
    type: 'assistant',
    id: `e${n}`,
    ts: o.ts,
    host: 'h1',
    user: o.user ?? 'alice',
    sessionId: 's1',
    project: '/p/app',
    ...(o.labels ? { labels: o.labels } : {}),
    payload: {
      messageId: o.messageId ?? `m${n}`,
      requestId: `r-${o.messageId ?? n}`,
      synthetic: false,
      usage: { input: o.tokens ?? 10, output: 0, cacheCreation: 0, cacheRead: 0 },
      cost: { usd, unpriced: false, priceVersion: 'test' },
    },
  };
}

const told = (signals: { labels: Record<string, string> }[]) => signals.map((s) => s.labels.threshold);

function setup(budgets: BudgetConfig[], at: string, store = new MemoryBudgetStateStore()) {
  const clock = new ManualClock(Date.parse(at));
  const tracker = new BudgetTracker({ clock, store, budgets: () => budgets, log: silentLogger });
  return { clock, tracker, store };
}

describe('BudgetTracker', () => {
  it('tells 50%, 80% and 100% once each per period, and counts each response once at its largest line', () => {
    // No projection this early in its terms (forecastAfter 0.99): thresholds only.
    const { tracker } = setup([budget({ forecastAfter: 0.99 })], '2026-02-20T12:00:00Z');
    const ts = '2026-02-20T11:00:00Z';
    expect(told(tracker.observe(response(40, { ts })))).toEqual([]);
    // A later line of the same response, larger: only the difference counts. A smaller one counts nothing.
    expect(told(tracker.observe(response(15, { ts, messageId: 'big', tokens: 10 })))).toEqual(['50%']);
    expect(told(tracker.observe(response(30, { ts, messageId: 'big', tokens: 20 })))).toEqual([]);
    expect(told(tracker.observe(response(1, { ts, messageId: 'big', tokens: 5 })))).toEqual([]);
    const state = [...tracker.states.values()][0]!;
    expect(state.spent).toBe(70);
    // 100 reached at once: 80% and 100% are both told, 50% not again.
    expect(told(tracker.observe(response(30, { ts })))).toEqual(['80%', '100%']);
    expect(told(tracker.observe(response(500, { ts })))).toEqual([]);
  });

  it('tells a projected overrun once, and only after forecastAfter of the period passed', () => {
    // 2026-02-01T12:00Z: 1.8% of February has passed; $10 of $100 projects $558, but it is too early.
    const { tracker, clock } = setup([budget()], '2026-02-01T12:00:00Z');
    expect(told(tracker.observe(response(10, { ts: '2026-02-01T11:00:00Z' })))).toEqual([]);
    expect(told(tracker.tick())).toEqual([]);
    // Day 4 at 00:00: 10.7% passed; the same $10 projects $93: no overrun.
    clock.set(Date.parse('2026-02-04T00:00:00Z'));
    expect(told(tracker.tick())).toEqual([]);
    const s = tracker.observe(response(5, { ts: '2026-02-04T00:00:00Z' }));
    // $15 after 10.7% projects $140.
    expect(told(s)).toEqual(['forecast']);
    expect(s[0]!.rule.summary).toBe('budget eng (alice): on course for $140 of $100 by the 28th');
    expect(s[0]!.labels).toMatchObject({
      budget: 'eng',
      subject: 'alice',
      amount: '100',
      spent: '15',
      projected: '140',
    });
    expect(s[0]!.labels.periodEnd).toBe('2026-03-01T00:00:00.000Z');
    expect(told(tracker.observe(response(5, { ts: '2026-02-04T00:00:00Z' })))).toEqual([]);
    expect(told(tracker.tick())).toEqual([]);
  });

  it('keeps spend and what was told across a restart, and starts over in the next period', async () => {
    const store = new MemoryBudgetStateStore();
    const first = setup([budget()], '2026-02-20T12:00:00Z', store);
    const line = response(60, { ts: '2026-02-20T11:00:00Z', messageId: 'x' });
    expect(told(first.tracker.observe(line))).toEqual(['50%']);
    await first.tracker.flush();

    const second = setup([budget()], '2026-02-20T12:05:00Z', store);
    expect(await second.tracker.recover()).toBe(1);
    // The same line again (a redelivery): nothing new; more spend: 80%, and $85 on day 20 of 28 projects $122.
    expect(told(second.tracker.observe({ ...line, id: 'again' }))).toEqual([]);
    expect(told(second.tracker.observe(response(25, { ts: '2026-02-20T12:00:00Z' })))).toEqual(['80%', 'forecast']);
    expect([...second.tracker.states.values()][0]!.spent).toBe(85);

    // March: the February state is dropped, February lines no longer count, March ones start from $0.
    second.clock.set(Date.parse('2026-03-02T00:00:00Z'));
    second.tracker.tick();
    await second.tracker.flush();
    expect(store.states.size).toBe(0);
    expect(told(second.tracker.observe(response(90, { ts: '2026-02-28T23:00:00Z' })))).toEqual([]);
    expect(told(second.tracker.observe(response(50, { ts: '2026-03-01T23:00:00Z' })))).toEqual(['50%']);
  });

  it('keeps one total per subject: users, teams from the host label, or one for everyone', () => {
    const budgets = [
      budget({ name: 'per-user' }),
      budget({ name: 'teams', scope: 'team' }),
      budget({ name: 'all', scope: 'everyone', amount: 1000 }),
    ];
    const { tracker } = setup(budgets, '2026-02-20T12:00:00Z');
    const ts = '2026-02-20T11:00:00Z';
    tracker.observe(response(60, { ts, user: 'alice', labels: { team: 'payments' } }));
    tracker.observe(response(30, { ts, user: 'bob', labels: { team: 'payments' } }));
    tracker.observe(response(30, { ts, user: 'carol' }));
    const spent = Object.fromEntries([...tracker.states.values()].map((s) => [`${s.budget}/${s.subject}`, s.spent]));
    expect(spent).toEqual({
      'per-user/alice': 60,
      'per-user/bob': 30,
      'per-user/carol': 30,
      'teams/payments': 90,
      'all/everyone': 120,
    });
  });
});
