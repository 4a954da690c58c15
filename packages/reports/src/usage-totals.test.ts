import { describe, expect, it } from 'vitest';
import { sumBreakdowns, type ModelBreakdown } from './usage-totals.js';

const item = (modelName: string, totalTokens: number, cost: number | null): ModelBreakdown => ({
  modelName,
  inputTokens: totalTokens,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  totalTokens,
  cost,
});

describe('sumBreakdowns', () => {
  it('no usage costs $0, not unpriced', () => {
    expect(sumBreakdowns([], new Set())).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      totalTokens: 0,
      totalCost: 0,
    });
  });

  it('usage without any price is unpriced (null), never $0', () => {
    expect(sumBreakdowns([item('claude-future-9', 10, null)], new Set(['claude-future-9']))).toMatchObject({
      totalTokens: 10,
      totalCost: null,
      unpricedModels: ['claude-future-9'],
    });
  });

  it('a partly priced sum is the priced part and names what it leaves out', () => {
    expect(
      sumBreakdowns(
        [item('claude-opus-4-5', 5, 0.25), item('claude-future-9', 10, null)],
        new Set(['claude-future-9']),
      ),
    ).toMatchObject({ totalTokens: 15, totalCost: 0.25, unpricedModels: ['claude-future-9'] });
  });
});
