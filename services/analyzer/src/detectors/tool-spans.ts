/**
 * tool.span: a tool call paired with its result by toolUseId, whichever side arrives first (a result can come
 * from another file, before its call). Calls still unanswered when the session ends are reported orphaned;
 * a result arriving after that reports the real span (the orphan is not counted twice). Also keeps the
 * session's tool counts and duration samples, and reports counted tool errors to the error-burst detector.
 */
import type { EventOf, ToolErrorClass } from '@cctap/events';
import { BoundedMap } from '@cctap/kit';
import { derived } from '../core/derived-builder.js';
import type { Session } from '../core/session.js';
import { pushBounded } from '../core/stats.js';
import type { Detector, DetectorContext, DerivedOut } from './detector.js';
import { recordToolError } from './error-burst.js';
import { countTurnToolError } from './turns.js';

const SAMPLE_CAP = 1024;
const TOOL_SAMPLE_CAP = 256;
const MAX_TOOLS = 64;
const MAX_EARLY = 1024;
const MAX_CLOSED = 4096;

export interface PendingCall {
  tool: string;
  inputHash: string | null;
  startTs: number;
  agentId: string | null;
  callEventId: string;
}

/** A result that arrived before its call (another file, or out of order). */
export interface EarlyResult {
  endTs: number;
  isError: boolean;
  errorClass: ToolErrorClass | null;
  reportedDurationMs: number | null;
  agentId: string | null;
}

export interface ToolStats {
  calls: number;
  errors: number;
  durations: number[];
}

export interface ToolSpansState {
  pending: Map<string, PendingCall>;
  early: BoundedMap<string, EarlyResult>;
  /** toolUseIds whose span was emitted: null when answered, the call when reported orphaned. */
  closed: BoundedMap<string, PendingCall | null>;
  tools: Map<string, ToolStats>;
  toolDurations: number[];
  toolCalls: number;
  toolErrors: number;
  orphaned: number;
}

interface SavedToolSpans extends Omit<ToolSpansState, 'early' | 'closed'> {
  early: [string, EarlyResult][];
  closed: [string, PendingCall | null][];
}

export const toolSpans: Detector<ToolSpansState> = {
  name: 'toolSpans',
  init: () => ({
    pending: new Map(),
    early: new BoundedMap(MAX_EARLY),
    closed: new BoundedMap(MAX_CLOSED),
    tools: new Map(),
    toolDurations: [],
    toolCalls: 0,
    toolErrors: 0,
    orphaned: 0,
  }),

  onEvent(s, st, { ev, ts }, ctx, out) {
    if (ev.type === 'tool.call') onCall(s, st, ev, ts, ctx, out);
    else if (ev.type === 'tool.result') onResult(s, st, ev, ts, ctx, out);
  },

  onEnd(s, st, ctx, out) {
    for (const [toolUseId, call] of st.pending) {
      st.orphaned += 1;
      emitSpan(s, st, toolUseId, call, null, ctx, out);
    }
    st.pending.clear();
  },

  // Kept: calls reported orphaned (a late result still reports the real span). Released: answered call ids
  // and results waiting for a call.
  onCompact(st) {
    st.early.clear();
    for (const [id, call] of st.closed) if (call === null) st.closed.delete(id);
  },

  snapshot: (st): SavedToolSpans => ({ ...st, early: [...st.early], closed: [...st.closed] }),
  restore(saved, ctx) {
    const st = toolSpans.init(ctx);
    if (saved === undefined) return st;
    const { early, closed, ...rest } = saved as SavedToolSpans;
    for (const [k, v] of early) st.early.set(k, v);
    for (const [k, v] of closed) st.closed.set(k, v);
    return { ...rest, early: st.early, closed: st.closed };
  },
};

export function hasPendingMain(st: ToolSpansState): boolean {
  for (const call of st.pending.values()) if (call.agentId === null) return true;
  return false;
}

function toolStats(st: ToolSpansState, tool: string): ToolStats {
  let t = st.tools.get(tool);
  if (!t) {
    const name = st.tools.size < MAX_TOOLS ? tool : 'other';
    t = st.tools.get(name) ?? { calls: 0, errors: 0, durations: [] };
    st.tools.set(name, t);
  }
  return t;
}

function onCall(
  s: Session,
  st: ToolSpansState,
  ev: EventOf<'tool.call'>,
  ts: number,
  ctx: DetectorContext,
  out: DerivedOut,
): void {
  const p = ev.payload;
  st.toolCalls += 1;
  toolStats(st, p.name).calls += 1;
  if (st.closed.has(p.toolUseId) || st.pending.has(p.toolUseId)) return;
  const call: PendingCall = {
    tool: p.name,
    inputHash: p.inputHash,
    startTs: ts,
    agentId: ev.agentId,
    callEventId: ev.id,
  };
  const early = st.early.get(p.toolUseId);
  if (early) {
    st.early.delete(p.toolUseId);
    emitSpan(s, st, p.toolUseId, call, early, ctx, out);
  } else {
    st.pending.set(p.toolUseId, call);
  }
}

function onResult(
  s: Session,
  st: ToolSpansState,
  ev: EventOf<'tool.result'>,
  ts: number,
  ctx: DetectorContext,
  out: DerivedOut,
): void {
  const p = ev.payload;
  const result: EarlyResult = {
    endTs: ts,
    isError: p.isError,
    errorClass: p.errorClass,
    reportedDurationMs: p.durationMs,
    agentId: ev.agentId,
  };
  const call = st.pending.get(p.toolUseId);
  const closed = st.closed.get(p.toolUseId);
  let counted = true;
  if (call) {
    st.pending.delete(p.toolUseId);
    emitSpan(s, st, p.toolUseId, call, result, ctx, out);
  } else if (closed) {
    // Answered after the session ended and the call was reported orphaned: report the real span.
    st.orphaned -= 1;
    emitSpan(s, st, p.toolUseId, closed, result, ctx, out);
  } else if (closed === null) {
    counted = false; // a second result for an answered call (a copy in another file)
  } else if (!st.early.has(p.toolUseId)) {
    st.early.set(p.toolUseId, result);
  } else {
    counted = false;
  }
  if (counted && p.isError) {
    st.toolErrors += 1;
    countTurnToolError(s);
    recordToolError(s, ev, ts, ctx, out);
  }
}

function emitSpan(
  s: Session,
  st: ToolSpansState,
  toolUseId: string,
  call: PendingCall,
  result: EarlyResult | null,
  ctx: DetectorContext,
  out: DerivedOut,
): void {
  const durationMs = result ? Math.max(0, result.endTs - call.startTs) : null;
  const stats = toolStats(st, call.tool);
  if (result) {
    if (result.isError) stats.errors += 1;
    pushBounded(stats.durations, durationMs!, TOOL_SAMPLE_CAP);
    pushBounded(st.toolDurations, durationMs!, SAMPLE_CAP);
  }
  if (!st.closed.has(toolUseId)) ctx.observer.toolSpan?.(call.tool, result?.isError ?? false, result === null);
  st.closed.set(toolUseId, result ? null : call);
  out.push(
    derived(s, 'tool.span', [toolUseId], result ? result.endTs : call.startTs, call.agentId, {
      toolUseId,
      tool: call.tool,
      inputHash: call.inputHash,
      startTs: new Date(call.startTs).toISOString(),
      endTs: result ? new Date(result.endTs).toISOString() : null,
      durationMs,
      reportedDurationMs: result?.reportedDurationMs ?? null,
      isError: result?.isError ?? false,
      errorClass: result?.errorClass ?? null,
      orphaned: result === null,
    }),
  );
}
