import { describe, expect, it } from 'vitest';
import { emptyEvidence } from '../engine/signal.js';
import type { EngineChanges, ThresholdGroupState } from '../engine/rule-engine.js';
import { mergeChanges } from './engine-state.js';

const group = (key: string, firing: boolean, entries: ThresholdGroupState['entries']): ThresholdGroupState => ({
  key,
  labels: {},
  firing,
  evidence: emptyEvidence(),
  entries,
  windowStart: 0,
});

describe('mergeChanges (engine changes a refused write left, then newer ones)', () => {
  it('keeps every entry and the newest state of each group; a drop then a change lives again', () => {
    const older: EngineChanges = {
      thresholds: [group('t|a', false, [['d:1', 10, 1]]), group('t|b', false, [['d:2', 10, 1]])],
      absences: [{ key: 'h|x', labels: {}, lastSeen: 5, firing: false, evidence: emptyEvidence() }],
      dropped: ['t|c'],
    };
    const newer: EngineChanges = {
      thresholds: [group('t|a', true, [['d:3', 20, 2]]), group('t|c', false, [['d:4', 30, 1]])],
      absences: [{ key: 'h|x', labels: {}, lastSeen: 9, firing: true, evidence: emptyEvidence() }],
      dropped: ['t|b'],
    };
    const m = mergeChanges(older, newer);
    expect(m.thresholds.map((t) => [t.key, t.firing, t.entries])).toEqual([
      [
        't|a',
        true,
        [
          ['d:1', 10, 1],
          ['d:3', 20, 2],
        ],
      ],
      ['t|c', false, [['d:4', 30, 1]]],
    ]);
    expect(m.absences.map((a) => [a.key, a.lastSeen, a.firing])).toEqual([['h|x', 9, true]]);
    expect(m.dropped).toEqual(['t|b']);
    expect(mergeChanges(null, newer)).toBe(newer);
  });
});
