import { describe, expect, it } from 'vitest';
import { ManualClock } from '@cctap/kit/internal';
import { validateRules } from '../rules/load-rules.js';
import { bashCall, makeDerived, makeEvent } from '../testing/contract-events.js';
import { fromDerived, fromEvent } from './inputs.js';
import { RuleEngine } from './rule-engine.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');

function engineWith(rules: unknown[]) {
  const clock = new ManualClock(T0);
  return { clock, engine: new RuleEngine({ rules: validateRules(rules), clock, maxEventAgeMs: 3_600_000 }) };
}

describe('RuleEngine thresholds', () => {
  const errors = {
    name: 'tool-errors',
    kind: 'threshold',
    severity: 'warning',
    types: ['tool.result'],
    where: [{ field: 'payload.isError', equals: true }],
    aggregate: 'count',
    window: '5m',
    threshold: 3,
    groupBy: ['host'],
  };
  const failed = (ts: number) =>
    fromEvent(makeEvent('tool.result', { isError: true, errorClass: 'tool_error' }, { ts }));

  it('fires when the count in the window reaches the threshold and resolves when the window slides past', () => {
    const { engine, clock } = engineWith([errors]);
    expect(engine.ingest(failed(T0))).toEqual([]);
    clock.set(T0 + 60_000);
    expect(engine.ingest(failed(clock.now()))).toEqual([]);
    clock.set(T0 + 120_000);
    const fired = engine.ingest(failed(clock.now()));
    expect(fired.map((s) => [s.status, s.occurrence, s.evidence?.value])).toEqual([['firing', true, 3]]);
    // Held: re-asserted (not a new occurrence) while the window still holds 3.
    clock.set(T0 + 299_000);
    expect(engine.tick().map((s) => [s.status, s.occurrence])).toEqual([['firing', false]]);
    clock.set(T0 + 301_000);
    expect(engine.tick().map((s) => [s.status, s.evidence?.value])).toEqual([['resolved', 2]]);
  });

  it('counts a redelivered event once (same id)', () => {
    const { engine } = engineWith([errors]);
    const e = failed(T0);
    for (let i = 0; i < 5; i++) expect(engine.ingest(e)).toEqual([]);
  });

  it('keeps state of rules that survive a reload and drops the others', () => {
    const { engine } = engineWith([errors]);
    engine.ingest(failed(T0));
    engine.ingest(failed(T0));
    engine.setRules(validateRules([errors]));
    expect(engine.ingest(failed(T0)).map((s) => s.status)).toEqual(['firing']);
  });
});

describe('engine inputs', () => {
  it('reads normalized events and derived events with their source', () => {
    expect([fromEvent(bashCall('ls'))].map((i) => [i.source, i.type])).toEqual([['events', 'tool.call']]);
    expect([fromDerived(makeDerived('loop.detected'))].map((i) => [i.source, i.type])).toEqual([
      ['derived', 'loop.detected'],
    ]);
  });
});
