/**
 * 5-hour blocks, ccusage's definition (transcript-format.md section 11.5), as a pure function.
 *
 * State machine over the responses sorted by time:
 *   (no block) --first entry--> open block [floorHour(ts), +5h)
 *   open --entry with ts - blockStart > 5h or ts - previous > 5h--> close block at the previous entry;
 *        if ts - previous > 5h also emit a gap block [previous + 5h, ts); open a new block at floorHour(ts)
 *   open --entry otherwise--> add to the block
 * A block is active when now - its last entry < 5h and now < its end. Burn rate = tokens / minutes between
 * its first and last entry; the projection extrapolates that rate to the block end.
 */
import { roundUsd } from './usage-totals.js';

export interface BlockEntry {
  /** ms since epoch */
  ts: number;
  model: string;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  cost: number | null;
}

export interface SessionBlock {
  id: string;
  startTime: string;
  endTime: string;
  actualEndTime: string | null;
  isActive: boolean;
  isGap: boolean;
  entries: number;
  tokenCounts: {
    inputTokens: number;
    outputTokens: number;
    cacheCreationInputTokens: number;
    cacheReadInputTokens: number;
  };
  totalTokens: number;
  /** USD of the priced entries; null when none is priced. */
  costUSD: number | null;
  unpricedModels?: string[];
  models: string[];
  burnRate: { tokensPerMinute: number; tokensPerMinuteForIndicator: number; costPerHour: number | null } | null;
  projection: { totalTokens: number; totalCost: number | null; remainingMinutes: number } | null;
}

const HOUR = 3_600_000;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function finish(start: number, entries: BlockEntry[], now: number, lengthMs: number): SessionBlock {
  const end = start + lengthMs;
  const first = entries[0]!.ts;
  const last = entries[entries.length - 1]!.ts;
  const tc = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
  let cost = 0;
  let priced = false;
  const models = new Set<string>();
  const unpriced = new Set<string>();
  for (const e of entries) {
    tc.inputTokens += e.input;
    tc.outputTokens += e.output;
    tc.cacheCreationInputTokens += e.cacheCreation;
    tc.cacheReadInputTokens += e.cacheRead;
    models.add(e.model);
    if (e.cost === null) unpriced.add(e.model);
    else {
      priced = true;
      cost += e.cost;
    }
  }
  const totalTokens = tc.inputTokens + tc.outputTokens + tc.cacheCreationInputTokens + tc.cacheReadInputTokens;
  const costUSD = priced ? roundUsd(cost) : null;
  const isActive = now - last < lengthMs && now < end;
  const minutes = (last - first) / 60_000;
  const burnRate =
    minutes > 0
      ? {
          tokensPerMinute: totalTokens / minutes,
          tokensPerMinuteForIndicator: (tc.inputTokens + tc.outputTokens) / minutes,
          costPerHour: costUSD === null ? null : (costUSD / minutes) * 60,
        }
      : null;
  let projection: SessionBlock['projection'] = null;
  if (isActive && burnRate) {
    const remainingMinutes = Math.max(0, (end - now) / 60_000);
    projection = {
      totalTokens: Math.round(totalTokens + burnRate.tokensPerMinute * remainingMinutes),
      totalCost:
        burnRate.costPerHour === null || costUSD === null
          ? null
          : roundUsd(costUSD + (burnRate.costPerHour / 60) * remainingMinutes),
      remainingMinutes: Math.round(remainingMinutes),
    };
  }
  return {
    id: iso(start),
    startTime: iso(start),
    endTime: iso(end),
    actualEndTime: iso(last),
    isActive,
    isGap: false,
    entries: entries.length,
    tokenCounts: tc,
    totalTokens,
    costUSD,
    ...(unpriced.size ? { unpricedModels: [...unpriced].sort() } : {}),
    models: [...models].sort(),
    burnRate,
    projection,
  };
}

function gap(from: number, to: number): SessionBlock {
  return {
    id: `gap-${iso(from)}`,
    startTime: iso(from),
    endTime: iso(to),
    actualEndTime: null,
    isActive: false,
    isGap: true,
    entries: 0,
    tokenCounts: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    totalTokens: 0,
    costUSD: 0,
    models: [],
    burnRate: null,
    projection: null,
  };
}

export function buildBlocks(sorted: readonly BlockEntry[], now: number, sessionHours = 5): SessionBlock[] {
  const lengthMs = sessionHours * HOUR;
  const blocks: SessionBlock[] = [];
  let start = 0;
  let current: BlockEntry[] = [];
  for (const e of sorted) {
    if (current.length === 0) {
      start = Math.floor(e.ts / HOUR) * HOUR;
      current.push(e);
      continue;
    }
    const prev = current[current.length - 1]!.ts;
    if (e.ts - start > lengthMs || e.ts - prev > lengthMs) {
      blocks.push(finish(start, current, now, lengthMs));
      if (e.ts - prev > lengthMs && e.ts > prev + lengthMs) blocks.push(gap(prev + lengthMs, e.ts));
      start = Math.floor(e.ts / HOUR) * HOUR;
      current = [e];
    } else current.push(e);
  }
  if (current.length > 0) blocks.push(finish(start, current, now, lengthMs));
  return blocks;
}
