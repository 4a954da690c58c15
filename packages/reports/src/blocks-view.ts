/**
 * What `report blocks` shows of the blocks a query built, as ccusage's blocks command: `--active` (the running
 * block only), `--recent` (blocks that started in the last 3 days, and the active one), and `--token-limit N|max`
 * (each active block's projection against a limit; `max` is the largest finished block, measured before the
 * filters). Pure, so the same rules serve a store opened here and the answer of a running `cctap up`.
 */
import { ReportOptionError } from './options.js';
import type { SessionBlock } from './session-blocks.js';

const RECENT_DAYS = 3;
/** Share of the limit above which a projection is a warning. */
const WARNING_SHARE = 0.8;

export interface BlocksView {
  active?: boolean;
  recent?: boolean;
  /** A token count, or `max`. */
  tokenLimit?: string;
}

export interface TokenLimitStatus {
  limit: number;
  projectedUsage: number;
  percentUsed: number;
  status: 'ok' | 'warning' | 'exceeds';
}

export function checkTokenLimit(value: string): string {
  if (value === 'max' || /^\d+$/.test(value)) return value;
  throw new ReportOptionError(`--token-limit must be a number of tokens or 'max', got '${value}'`);
}

/** The limit in tokens; null when none was asked for, or `max` finds no finished block. */
export function tokenLimitOf(blocks: readonly SessionBlock[], value: string | undefined): number | null {
  if (value === undefined) return null;
  if (value !== 'max') return Number(value) > 0 ? Number(value) : null;
  const max = Math.max(0, ...blocks.filter((b) => !b.isGap && !b.isActive).map((b) => b.totalTokens));
  return max > 0 ? max : null;
}

export function viewBlocks<B extends SessionBlock>(blocks: readonly B[], view: BlocksView, now = Date.now()): B[] {
  let out = [...blocks];
  if (view.recent) out = out.filter((b) => b.isActive || Date.parse(b.startTime) >= now - RECENT_DAYS * 86_400_000);
  if (view.active) out = out.filter((b) => b.isActive);
  return out;
}

/** ccusage's `tokenLimitStatus` of an active block with a projection. */
export function tokenLimitStatus(block: SessionBlock, limit: number | null): TokenLimitStatus | undefined {
  if (limit === null || !block.projection) return undefined;
  const projected = block.projection.totalTokens;
  return {
    limit,
    projectedUsage: projected,
    percentUsed: (projected / limit) * 100,
    status: projected > limit ? 'exceeds' : projected > limit * WARNING_SHARE ? 'warning' : 'ok',
  };
}
