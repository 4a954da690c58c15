/**
 * Turns (main lane only): a human or task-notification prompt opens a turn; the assistant's final answer (a
 * line without tool use, and no main-lane call pending) or an interrupt marks it answered; it closes,
 * emitting turn.complete, at the next prompt, or when waiting.input / idle / end fires. Also counts the
 * session's human prompts.
 */
import type { EventOf } from '@cctap/events';
import { derived } from '../core/derived-builder.js';
import type { Session } from '../core/session.js';
import { addTokens, zeroTokens, type TokenTotals } from '../core/token-totals.js';
import { sliceOf, type Detector, type DerivedOut } from './detector.js';
import { hasPendingMain, toolSpans } from './tool-spans.js';

export interface TurnState {
  index: number;
  promptEventId: string;
  startTs: number;
  lastTs: number;
  /** ts of the main lane's final answer (assistant text, no tool use, nothing pending); null while working. */
  finalTs: number | null;
  waitingFired: boolean;
  toolCalls: number;
  toolErrors: number;
  assistantMessages: number;
  tokens: TokenTotals;
  costUsd: number;
  unpriced: boolean;
}

export interface TurnsState {
  turn: TurnState | null;
  turnSeq: number;
  /** Turns completed. */
  turns: number;
  /** Human prompts. */
  prompts: number;
}

const fresh = (): TurnsState => ({ turn: null, turnSeq: 0, turns: 0, prompts: 0 });

export const turns: Detector<TurnsState> = {
  name: 'turns',
  init: fresh,

  onEvent(s, st, { ev, ts, main }, _ctx, out) {
    if (st.turn && ts > st.turn.lastTs) st.turn.lastTs = ts;
    switch (ev.type) {
      case 'prompt':
        onPrompt(s, st, ev, ts, main, out);
        break;
      case 'assistant': {
        const p = ev.payload;
        if (main && st.turn) st.turn.finalTs = p.toolUses === 0 && p.stopReason !== 'tool_use' ? ts : null;
        break;
      }
      case 'tool.call':
        if (st.turn) {
          st.turn.toolCalls += 1;
          if (main) st.turn.finalTs = null;
        }
        break;
      case 'interrupt':
        if (main && st.turn) st.turn.finalTs = ts;
        break;
      default:
        break;
    }
  },

  onTick(s, st, ctx, out) {
    const t = st.turn;
    const c = ctx.config;
    if (!t || t.finalTs === null || t.waitingFired || hasPendingMain(sliceOf(s, toolSpans))) return;
    const since = Math.max(t.finalTs, s.lastActivityTs);
    if (ctx.now - since < c.waitingMs) return;
    t.waitingFired = true;
    out.push(
      derived(s, 'waiting.input', [t.promptEventId], since + c.waitingMs, null, {
        sinceTs: new Date(t.finalTs).toISOString(),
        waitedMs: c.waitingMs,
      }),
    );
    closeTurn(s, st, 'waiting', out);
  },

  onIdle(s, st, _ctx, out) {
    if (st.turn?.finalTs != null) closeTurn(s, st, 'idle', out);
  },

  onEnd(s, st, _ctx, out) {
    closeTurn(s, st, 'end', out);
  },

  snapshot: (st) => st,
  restore: (saved) => (saved as TurnsState | undefined) ?? fresh(),
};

// What other detectors count for the session counts for its open turn too.

/** A new API response (usage.ts); an unpriced one leaves the turn's cost unknown. */
export function countTurnResponse(s: Session, priced: boolean): void {
  const t = sliceOf(s, turns).turn;
  if (!t) return;
  t.assistantMessages += 1;
  if (!priced) t.unpriced = true;
}

/** Tokens and cost added to the session (usage.ts). */
export function addTurnUsage(s: Session, d: TokenTotals, usd: number): void {
  const t = sliceOf(s, turns).turn;
  if (!t) return;
  addTokens(t.tokens, d);
  t.costUsd += usd;
}

/** A counted tool error (tool-spans.ts). */
export function countTurnToolError(s: Session): void {
  const t = sliceOf(s, turns).turn;
  if (t) t.toolErrors += 1;
}

function onPrompt(s: Session, st: TurnsState, ev: EventOf<'prompt'>, ts: number, main: boolean, out: DerivedOut): void {
  const kind = ev.payload.kind;
  if (kind === 'human') st.prompts += 1;
  if (!main || (kind !== 'human' && kind !== 'task_notification')) return;
  closeTurn(s, st, 'next_prompt', out);
  st.turnSeq += 1;
  st.turn = {
    index: st.turnSeq,
    promptEventId: ev.id,
    startTs: ts,
    lastTs: ts,
    finalTs: null,
    waitingFired: false,
    toolCalls: 0,
    toolErrors: 0,
    assistantMessages: 0,
    tokens: zeroTokens(),
    costUsd: 0,
    unpriced: false,
  };
}

function closeTurn(
  s: Session,
  st: TurnsState,
  closedBy: 'next_prompt' | 'waiting' | 'idle' | 'end',
  out: DerivedOut,
): void {
  const t = st.turn;
  if (!t) return;
  st.turn = null;
  if (t.assistantMessages === 0 && t.toolCalls === 0) return;
  st.turns += 1;
  const endTs = t.finalTs ?? t.lastTs;
  out.push(
    derived(s, 'turn.complete', [t.promptEventId], endTs, null, {
      turn: t.index,
      startTs: new Date(t.startTs).toISOString(),
      endTs: new Date(endTs).toISOString(),
      durationMs: Math.max(0, endTs - t.startTs),
      toolCalls: t.toolCalls,
      toolErrors: t.toolErrors,
      assistantMessages: t.assistantMessages,
      tokens: { ...t.tokens },
      costUsd: t.unpriced ? null : Math.max(0, t.costUsd),
      closedBy,
    }),
  );
}
