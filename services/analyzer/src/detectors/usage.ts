/**
 * Tokens and cost per session, by the max rule of @cctap/events (response-rule.ts): the lines of one API
 * response share a key, the largest (earliest on a tie) counts, never a sum. Order-insensitive across
 * files: a larger line arriving later replaces the counted one by its difference. Each counted response is
 * priced from the central book; a model the book does not know is counted as unpriced, never as $0.
 *
 * The last `maxResponsesPerSession` responses are remembered (older ones are settled: a line of theirs
 * arriving that late would count again); an ended session keeps its last ENDED_RESPONSES, enough for the late
 * replay of a recent response in another file.
 */
import { replacesKept, responseKey, responseTokenTotal, type EventOf } from '@cctap/events';
import { BoundedMap } from '@cctap/kit';
import { priceAssistant } from '@cctap/prices';
import type { Session } from '../core/session.js';
import { addTokens, zeroTokens, type TokenTotals } from '../core/token-totals.js';
import type { Detector, DetectorContext } from './detector.js';
import { addTurnUsage, countTurnResponse } from './turns.js';

const MAX_MODELS = 32;
/** Response entries an ended session keeps for late replays. */
const ENDED_RESPONSES = 256;

/** The counted line of one API response. */
export interface ResponseEntry extends TokenTotals {
  usd: number | null;
  /** Its event time (epoch ms), for the rule's tie-break. */
  ts: number;
}

export interface UsageState {
  /** Response key (responseKey) -> its counted line, least recently changed first. */
  responses: BoundedMap<string, ResponseEntry>;
  assistantMessages: number;
  tokens: TokenTotals;
  costUsd: number;
  unpricedResponses: number;
  models: Set<string>;
}

interface SavedUsage extends Omit<UsageState, 'responses'> {
  responses: [string, ResponseEntry][];
}

export const usage: Detector<UsageState> = {
  name: 'usage',
  init: (ctx) => ({
    responses: new BoundedMap(ctx.config.maxResponsesPerSession),
    assistantMessages: 0,
    tokens: zeroTokens(),
    costUsd: 0,
    unpricedResponses: 0,
    models: new Set(),
  }),

  onEvent(s, st, { ev, ts }, ctx) {
    if (ev.type === 'assistant') onAssistant(s, st, ev, ts, ctx);
  },

  onCompact(st) {
    st.responses.trimTo(ENDED_RESPONSES);
  },

  snapshot: (st): SavedUsage => ({ ...st, responses: [...st.responses] }),
  restore(saved, ctx) {
    const st = usage.init(ctx);
    if (saved === undefined) return st;
    const { responses, ...rest } = saved as SavedUsage;
    for (const [k, v] of responses) st.responses.set(k, v);
    return { ...rest, responses: st.responses };
  },
};

function onAssistant(s: Session, st: UsageState, ev: EventOf<'assistant'>, ts: number, ctx: DetectorContext): void {
  const p = ev.payload;
  // `<synthetic>` lines are written by the CLI, not the API: no usage, no model.
  if (p.synthetic) return;
  if (st.models.size < MAX_MODELS) st.models.add(p.model);
  const u = p.usage;
  const total = responseTokenTotal(u);
  const key = responseKey(ev);
  const prev = st.responses.get(key);
  const counts = !prev || replacesKept({ totalTokens: total, tsMs: ts }, { totalTokens: prev.total, tsMs: prev.ts });
  if (!counts) return;
  // Priced only when the line counts (a new response, or a line that replaces the counted one).
  const usd = priceAssistant(ctx.prices, p, ev.ts).usd;
  const entry: ResponseEntry = {
    input: u.input,
    output: u.output,
    cacheCreation: u.cacheCreation,
    cacheRead: u.cacheRead,
    total,
    usd,
    ts,
  };
  if (!prev) {
    st.assistantMessages += 1;
    countTurnResponse(s, usd !== null);
    if (usd === null) {
      st.unpricedResponses += 1;
      ctx.observer.unpriced?.(p.model);
    }
    add(s, st, p.model, entry, zeroTokens(), usd ?? 0, 0, ctx);
    st.responses.set(key, entry);
  } else {
    add(s, st, p.model, entry, prev, usd ?? 0, prev.usd ?? 0, ctx);
    st.responses.set(key, entry);
    st.responses.touch(key);
  }
}

function add(
  s: Session,
  st: UsageState,
  model: string,
  now: TokenTotals,
  before: TokenTotals,
  usd: number,
  usdBefore: number,
  ctx: DetectorContext,
): void {
  const d: TokenTotals = {
    input: now.input - before.input,
    output: now.output - before.output,
    cacheCreation: now.cacheCreation - before.cacheCreation,
    cacheRead: now.cacheRead - before.cacheRead,
    total: now.total - before.total,
  };
  const dUsd = usd - usdBefore;
  addTokens(st.tokens, d);
  st.costUsd += dUsd;
  addTurnUsage(s, d, dUsd);
  ctx.observer.usage?.(model, d, dUsd, s);
}
