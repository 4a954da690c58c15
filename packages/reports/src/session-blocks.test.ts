import { describe, expect, it } from 'vitest';
import { buildBlocks, type BlockEntry } from './session-blocks.js';

const H = 3_600_000;
const T0 = Date.parse('2026-03-01T09:17:00Z');
const entry = (ts: number, cost: number | null = 1, model = 'm'): BlockEntry => ({
  ts,
  model,
  input: 10,
  output: 20,
  cacheCreation: 30,
  cacheRead: 40,
  cost,
});

describe('buildBlocks (ccusage 5-hour blocks)', () => {
  it('starts a block at the UTC hour of its first entry and closes it 5 h later', () => {
    const blocks = buildBlocks([entry(T0), entry(T0 + 4 * H), entry(T0 + 4.9 * H)], T0 + 100 * H);
    // 09:17 opens [09:00, 14:00); 14:11 is more than 5 h after 09:00, so it opens a new block at 14:00.
    expect(blocks.map((b) => [b.startTime, b.entries, b.isGap])).toEqual([
      ['2026-03-01T09:00:00.000Z', 2, false],
      ['2026-03-01T14:00:00.000Z', 1, false],
    ]);
    expect(blocks[0]!.totalTokens).toBe(200);
    expect(blocks[0]!.endTime).toBe('2026-03-01T14:00:00.000Z');
  });

  it('emits a gap block after more than 5 h of silence', () => {
    const blocks = buildBlocks([entry(T0), entry(T0 + 12 * H)], T0 + 100 * H);
    expect(blocks.map((b) => b.isGap)).toEqual([false, true, false]);
    expect(blocks[1]!.startTime).toBe(new Date(T0 + 5 * H).toISOString());
    expect(blocks[1]!.endTime).toBe(new Date(T0 + 12 * H).toISOString());
  });

  it('marks the block active with burn rate and projection while it runs', () => {
    const now = T0 + 60 * 60_000;
    const [b] = buildBlocks([entry(T0), entry(T0 + 30 * 60_000)], now);
    expect(b!.isActive).toBe(true);
    expect(b!.burnRate!.tokensPerMinute).toBeCloseTo(200 / 30);
    // Block ends at 14:00; now is 10:17: 223 minutes remain.
    expect(b!.projection!.remainingMinutes).toBe(223);
    expect(b!.projection!.totalTokens).toBe(Math.round(200 + (200 / 30) * 223));
    expect(buildBlocks([entry(T0)], T0 + 6 * H)[0]!.isActive).toBe(false);
  });

  it('reports unpriced usage as unpriced, not $0', () => {
    const [b] = buildBlocks([entry(T0, null, 'x')], T0 + 100 * H);
    expect(b!.costUSD).toBeNull();
    expect(b!.unpricedModels).toEqual(['x']);
    const [mixed] = buildBlocks([entry(T0, 2, 'a'), entry(T0 + 1000, null, 'x')], T0 + 100 * H);
    expect(mixed!.costUSD).toBe(2);
    expect(mixed!.unpricedModels).toEqual(['x']);
  });
});
