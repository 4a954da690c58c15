/**
 * The analyzer's pure core: normalized events in, derived events out. No I/O; time comes from the injected
 * clock, so tests and replays are deterministic.
 *
 * Session life cycle (per host + sessionId):
 *
 *            first event                 quiet >= idleMs               quiet >= endMs
 *   (none) ─────────────▶ active ─────────────────────▶ idle ─────────────────────────▶ ended ──▶ (pruned
 *      session.start        ▲   newer activity:           │  session.end(timeout),         after
 *                           │   session.resume(idle)      │  orphan spans, final summary   retainEndedMs)
 *                           └─────────────────────────────┘                                  │
 *                           ◀──────────────── any line (even a late one): session.resume(end) ┘
 *   beyond maxSessions the least recently active session is ended with reason 'evicted' and dropped.
 *
 * Memory: at most maxSessions sessions are held, found by key in a Map and ordered by a RecencyQueue (O(1)
 * per event, whatever the number of sessions). A session that ends has its final summary emitted and then
 * keeps only what a late line needs (counters, statistics, file marks, unanswered calls, its latest responses):
 * the rest of its per-response, per-call and episode-window maps is released (compactEnded), so the sessions
 * held for late lines cost little; they are dropped after retainEndedMs, or first when the cap is reached.
 *
 *   "quiet" = clock - last activity (event time), checked only once no event of the session has arrived
 *   for settleMs (clock time). Timeout events carry ts = last activity + timeout: the instant the timeout
 *   elapsed, whatever moment the tick ran, so a replay emits identical events.
 *
 * Turns (main lane only): a human or task-notification prompt opens a turn; the assistant's final answer
 * (a line without tool use, and no main-lane call pending) or an interrupt marks it answered; it closes,
 * emitting turn.complete, at the next prompt, or when waiting.input / idle / end fires.
 *
 * Ordering strategy: a session's events come from several files (main, subagents) that are published
 * independently, so arrival order across files is arbitrary. Rather than a reorder buffer (which cannot
 * help a backfill that sends a whole main file before its subagent files), every detector is
 * order-insensitive across files: spans pair by toolUseId whichever side comes first; tokens use the max
 * rule per response; windows (loop, error burst) insert occurrences by timestamp; context size follows the
 * latest assistant line by timestamp. Sequence statistics (n-grams, transitions, gaps) are computed per
 * lane (main conversation, or one subagent), in file order: the order Claude Code wrote, which is more
 * faithful than timestamps (transcript-format section 10: results timestamped before their predecessor).
 *
 * Idempotency: an event id seen recently (bounded LRU) is ignored; a message whose stream sequence is at or
 * below the session's applied sequence is ignored (redelivery after a restart from a snapshot).
 */
import type { CctapEvent, DenialKind, DerivedEvent, EventOf } from '@cctap/events';
import { LruSet } from '@cctap/kit';
import { priceResponse, shippedBook, type PriceBook } from '@cctap/prices';
import type { AnalyzerConfig } from '../config.js';
import { recordOccurrence, emptyWindow } from '../detectors/episode-window.js';
import { robustZ } from '../detectors/robust-z.js';
import type { Clock } from './clock.js';
import { contextWindowOf } from './context-window.js';
import { derived } from './derived-builder.js';
import { countDenial, countRefusal } from './refusals-denials.js';
import { decodeState, encodeState } from './snapshot-codec.js';
import {
  newSession,
  sessionKey,
  zeroTokens,
  type EarlyResult,
  type LaneState,
  type PendingCall,
  type SessionState,
  type TokenTotals,
  type ToolStats,
} from './session-state.js';
import { RecencyQueue } from './recency-queue.js';
import { pushBounded } from './stats.js';
import { buildSummary, gramKey } from './summary.js';

const MAIN = 'main';
const SAMPLE_CAP = 1024;
const TOOL_SAMPLE_CAP = 256;
const MAX_TOOLS = 64;
const MAX_GRAMS = 512;
const MAX_LOOP_KEYS = 1024;
const MAX_EARLY = 1024;
const MAX_CLOSED = 4096;
const MAX_AGENTS = 1024;
const MAX_MODELS = 32;
/** Response entries an ended session keeps for late replays (see compactEnded). */
const ENDED_RESPONSES = 256;

/** Things the service turns into metrics; all optional. */
export interface EngineObserver {
  usage?(model: string, delta: TokenTotals, usd: number, session: { project: string; user: string }): void;
  /** A response (counted once) whose model, or advisor model, the price book does not know. */
  unpriced?(model: string): void;
  /** A tool span reported for the first time (an orphan later answered is not counted twice). */
  toolSpan?(tool: string, isError: boolean, orphaned: boolean): void;
  evicted?(): void;
  duplicate?(): void;
  /** A denied tool call (`denial` event). */
  denial?(kind: DenialKind): void;
  /** A model refusal answered by a fallback model (`refusal` event). */
  refusal?(originalModel: string, fallbackModel: string): void;
}

export interface UserBaseline {
  tokenRates: number[];
  errorRates: number[];
}

export interface SnapshotDelta {
  /** Session key -> encoded state, for sessions changed since the last delta. */
  upserts: Map<string, string>;
  /** Sessions dropped since the last delta (pruned or evicted). */
  deletes: string[];
  /** User -> encoded baseline, for users whose baseline changed. */
  baselines: Map<string, string>;
}

export interface EngineStats {
  sessions: number;
  /**
   * Sessions not ended whose last activity is within the end timeout. A session seen only in history (a
   * backfill of last month) is not active even before its end is concluded: timeouts wait settleMs after
   * the last arrival, so that a backfill's late subagent lines do not end and reopen it.
   */
  active: number;
  duplicates: number;
  skippedBySeq: number;
  evicted: number;
}

export class AnalyzerEngine {
  private readonly sessions = new Map<string, SessionState>();
  /** Session keys, least recently active first (eviction order, tick order). */
  private readonly recency = new RecencyQueue();
  /** Sessions with status 'ended', kept up to date so stats() needs no scan. */
  private ended = 0;
  private readonly baselines = new Map<string, UserBaseline>();
  private readonly seen: LruSet;
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  private readonly dirtyUsers = new Set<string>();
  private lastTouched: string | null = null;
  private readonly counters = { duplicates: 0, skippedBySeq: 0, evicted: 0 };

  constructor(
    private readonly config: AnalyzerConfig,
    private readonly clock: Clock,
    private readonly observer: EngineObserver = {},
    /** Cost is computed here from the central book (DESIGN section 7), never read from the host. */
    private readonly prices: PriceBook = shippedBook(),
  ) {
    this.seen = new LruSet(config.seenIdsCapacity);
  }

  // ── input ──────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Applies the events of one message (`seq` = its stream sequence, when it has one) and returns what
   * they let us conclude. Events of sessions that already applied this sequence are skipped.
   */
  ingest(events: readonly CctapEvent[], seq?: number): DerivedEvent[] {
    const out: DerivedEvent[] = [];
    const now = this.clock.now();
    const fresh = seq === undefined ? null : new Set<string>();
    for (const ev of events) {
      // A `file` timestamp was made up for an untimed line before the first timed one (a leading summary or
      // file-history snapshot): it says nothing about when the session was active, and would stretch it to
      // whenever the file was last written. A quota reading comes from the status line, which Claude Code
      // refreshes while a session sits idle: not activity either.
      if (ev.type === 'heartbeat' || ev.type === 'quota' || ev.tsSource === 'file') continue;
      const key = sessionKey(ev.host, ev.sessionId);
      let s = this.sessions.get(key);
      if (seq !== undefined && s && seq <= s.appliedSeq && !fresh!.has(key)) {
        this.counters.skippedBySeq += 1;
        continue;
      }
      if (s && seq !== undefined) {
        // the message counts as applied to this session even when all its events turn out to be copies
        if (seq > s.appliedSeq) {
          s.appliedSeq = seq;
          this.dirty.add(key);
        }
        fresh!.add(key);
      }
      if (!this.seen.add(ev.id) || (s && copiedLine(s, ev))) {
        this.counters.duplicates += 1;
        this.observer.duplicate?.();
        continue;
      }
      const ts = Date.parse(ev.ts);
      if (!s) {
        s = this.open(ev, ts, now, out);
      } else {
        if (key !== this.lastTouched) {
          // LRU order: move to the end (skipped for consecutive events of one session, the common case)
          this.recency.touch(key);
          this.lastTouched = key;
        }
        this.wake(s, ev, ts, out);
      }
      if (seq !== undefined) {
        s.appliedSeq = Math.max(s.appliedSeq, seq);
        fresh!.add(key);
      }
      const mark = s.fileOffsets.get(ev.source.path);
      // Below the mark yet applied: the file was rewritten (copiedLine), the mark follows the new layout.
      if (!mark || mark.offset !== ev.source.offset)
        s.fileOffsets.set(ev.source.path, { offset: ev.source.offset, ids: [ev.id], ts: Math.max(ts, mark?.ts ?? ts) });
      else {
        mark.ids.push(ev.id);
        if (mark.ts === undefined || ts > mark.ts) mark.ts = ts;
      }
      this.apply(s, ev, ts, now, out);
    }
    return out;
  }

  private open(ev: CctapEvent, ts: number, now: number, out: DerivedEvent[]): SessionState {
    const s = newSession(
      {
        host: ev.host,
        user: ev.user,
        sessionId: ev.sessionId,
        project: ev.project,
        gitBranch: ev.gitBranch,
        cwd: ev.cwd,
        ccVersion: ev.ccVersion,
      },
      ev.id,
      ts,
      now,
    );
    this.sessions.set(s.key, s);
    this.recency.touch(s.key);
    this.lastTouched = s.key;
    out.push(
      derived(s, 'session.start', [ev.id], ts, null, { cwd: s.cwd, ccVersion: s.ccVersion, firstEventId: ev.id }),
    );
    while (this.sessions.size > this.config.maxSessions) {
      const oldestKey = this.recency.oldest();
      const oldest = oldestKey === undefined ? undefined : this.sessions.get(oldestKey);
      if (!oldest || oldest === s) break;
      if (oldest.status !== 'ended') this.endSession(oldest, 'evicted', now, out);
      this.drop(oldest.key);
      this.counters.evicted += 1;
      this.observer.evicted?.();
    }
    return s;
  }

  /** Activity on a known session: reopen it if ended, resume it if idle and the activity is new. */
  private wake(s: SessionState, ev: CctapEvent, ts: number, out: DerivedEvent[]): void {
    if (s.status === 'ended') {
      s.status = 'active';
      s.endedAtMs = null;
      this.ended -= 1;
      out.push(
        derived(s, 'session.resume', [ev.id], ts, null, { from: 'end', gapMs: Math.max(0, ts - s.lastActivityTs) }),
      );
    } else if (s.status === 'idle' && ts > s.lastActivityTs) {
      s.status = 'active';
      out.push(derived(s, 'session.resume', [ev.id], ts, null, { from: 'idle', gapMs: ts - s.lastActivityTs }));
    }
  }

  private apply(s: SessionState, ev: CctapEvent, ts: number, now: number, out: DerivedEvent[]): void {
    s.lastArrivalMs = now;
    if (ts >= s.lastActivityTs) {
      s.lastActivityTs = ts;
      s.lastActivityEventId = ev.id;
      s.gitBranch = ev.gitBranch;
    }
    if (ts < s.startTs) s.startTs = ts;
    s.summaryDirty = true;
    this.dirty.add(s.key);
    if (ev.agentId !== null && s.agents.size < MAX_AGENTS) s.agents.add(ev.agentId);
    const laneKey = ev.agentId ?? (ev.sidechain ? 'sidechain' : MAIN);
    const main = laneKey === MAIN;
    if (s.turn && ts > s.turn.lastTs) s.turn.lastTs = ts;

    switch (ev.type) {
      case 'prompt':
        this.onPrompt(s, ev, ts, main, out);
        break;
      case 'assistant':
        this.onAssistant(s, ev, ts, main, out);
        break;
      case 'tool.call':
        this.onToolCall(s, ev, ts, main, out);
        break;
      case 'tool.result':
        this.onToolResult(s, ev, ts, out);
        break;
      case 'api.error':
        s.apiErrors += 1;
        this.onError(s, ev, ts, 1, out);
        break;
      case 'compaction':
        s.compactions += 1;
        s.contextArmed = true;
        out.push(
          derived(s, 'compaction', [ev.id], ts, ev.agentId, {
            trigger: ev.payload.trigger,
            preTokens: ev.payload.preTokens,
            micro: ev.payload.micro,
          }),
        );
        break;
      case 'interrupt':
        if (main && s.turn) s.turn.finalTs = ts;
        break;
      case 'denial':
        countDenial(s, ev.payload.kind);
        this.observer.denial?.(ev.payload.kind);
        break;
      case 'refusal': {
        const from = ev.payload.originalModel ?? '';
        const to = ev.payload.fallbackModel ?? '';
        countRefusal(s, from, to);
        this.observer.refusal?.(from, to);
        break;
      }
      default:
        break;
    }
    this.sequence(s, laneKey, ev, ts);
  }

  private onPrompt(s: SessionState, ev: EventOf<'prompt'>, ts: number, main: boolean, out: DerivedEvent[]): void {
    const kind = ev.payload.kind;
    if (kind === 'human') s.prompts += 1;
    if (kind === 'subagent_root' && ev.agentId === null) s.inlineSubagents += 1;
    if (main && (kind === 'human' || kind === 'task_notification')) {
      this.closeTurn(s, 'next_prompt', out);
      s.turnSeq += 1;
      s.turn = {
        index: s.turnSeq,
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
  }

  private onAssistant(s: SessionState, ev: EventOf<'assistant'>, ts: number, main: boolean, out: DerivedEvent[]): void {
    const p = ev.payload;
    if (main && s.turn) s.turn.finalTs = p.toolUses === 0 && p.stopReason !== 'tool_use' ? ts : null;
    // `<synthetic>` lines are written by the CLI, not the API: no usage, no model, no context.
    if (p.synthetic) return;
    if (s.models.size < MAX_MODELS) s.models.add(p.model);
    const u = p.usage;
    const total = u.input + u.output + u.cacheCreation + u.cacheRead;
    // Max rule: one response spans several lines sharing message id + request id; the largest wins.
    const rk = p.messageId !== null ? `${p.messageId}|${p.requestId ?? ''}` : `line|${ev.id}`;
    const prev = s.responses.get(rk);
    // Priced only when the line counts (a new response, or a larger line of one).
    const usd =
      !prev || total > prev.total
        ? priceResponse(this.prices, {
            model: p.model,
            ts: ev.ts,
            usage: u,
            speed: p.speed,
            inferenceGeo: p.inferenceGeo ?? null,
            ...(p.advisor ? { advisor: p.advisor } : {}),
          }).usd
        : null;
    const entry = {
      input: u.input,
      output: u.output,
      cacheCreation: u.cacheCreation,
      cacheRead: u.cacheRead,
      total,
      usd,
    };
    if (!prev) {
      s.assistantMessages += 1;
      if (s.turn) s.turn.assistantMessages += 1;
      if (entry.usd === null) {
        s.unpricedResponses += 1;
        if (s.turn) s.turn.unpriced = true;
        this.observer.unpriced?.(p.model);
      }
      this.addUsage(s, p.model, entry, zeroTokens(), entry.usd ?? 0, 0);
      s.responses.set(rk, entry);
      if (s.responses.size > this.config.maxResponsesPerSession) {
        const oldest = s.responses.keys().next().value;
        if (oldest !== undefined) s.responses.delete(oldest);
      }
    } else if (entry.total > prev.total) {
      this.addUsage(s, p.model, entry, prev, entry.usd ?? 0, prev.usd ?? 0);
      s.responses.delete(rk);
      s.responses.set(rk, entry);
    }
    if (main) this.onContext(s, ev, ts, out);
  }

  private addUsage(
    s: SessionState,
    model: string,
    now: TokenTotals,
    before: TokenTotals,
    usd: number,
    usdBefore: number,
  ): void {
    const d: TokenTotals = {
      input: now.input - before.input,
      output: now.output - before.output,
      cacheCreation: now.cacheCreation - before.cacheCreation,
      cacheRead: now.cacheRead - before.cacheRead,
      total: now.total - before.total,
    };
    const dUsd = usd - usdBefore;
    for (const t of s.turn ? [s.tokens, s.turn.tokens] : [s.tokens]) {
      t.input += d.input;
      t.output += d.output;
      t.cacheCreation += d.cacheCreation;
      t.cacheRead += d.cacheRead;
      t.total += d.total;
    }
    s.costUsd += dUsd;
    if (s.turn) s.turn.costUsd += dUsd;
    this.observer.usage?.(model, d, dUsd, s);
  }

  private onContext(s: SessionState, ev: EventOf<'assistant'>, ts: number, out: DerivedEvent[]): void {
    const u = ev.payload.usage;
    const tokens = u.input + u.cacheCreation + u.cacheRead;
    if (s.context && ts < s.context.ts) return; // an older line arriving late says nothing about now
    s.context = { ts, tokens, model: ev.payload.model };
    const windowTokens = contextWindowOf(
      ev.payload.model,
      this.config.contextWindows,
      this.config.defaultContextWindow,
    );
    const ratio = tokens / windowTokens;
    if (ratio < this.config.contextThreshold) {
      s.contextArmed = true;
    } else if (s.contextArmed) {
      s.contextArmed = false;
      out.push(
        derived(s, 'context.high', [ev.id], ts, ev.agentId, {
          model: ev.payload.model,
          contextTokens: tokens,
          windowTokens,
          ratio,
          threshold: this.config.contextThreshold,
        }),
      );
    }
  }

  private toolStats(s: SessionState, tool: string): ToolStats {
    let t = s.tools.get(tool);
    if (!t) {
      const name = s.tools.size < MAX_TOOLS ? tool : 'other';
      t = s.tools.get(name) ?? { calls: 0, errors: 0, durations: [] };
      s.tools.set(name, t);
    }
    return t;
  }

  private onToolCall(s: SessionState, ev: EventOf<'tool.call'>, ts: number, main: boolean, out: DerivedEvent[]): void {
    const p = ev.payload;
    s.toolCalls += 1;
    this.toolStats(s, p.name).calls += 1;
    if (s.turn) {
      s.turn.toolCalls += 1;
      if (main) s.turn.finalTs = null;
    }
    const call: PendingCall = {
      tool: p.name,
      inputHash: p.inputHash,
      startTs: ts,
      agentId: ev.agentId,
      callEventId: ev.id,
    };
    if (!s.closed.has(p.toolUseId) && !s.pending.has(p.toolUseId)) {
      const early = s.early.get(p.toolUseId);
      if (early) {
        s.early.delete(p.toolUseId);
        this.emitSpan(s, p.toolUseId, call, early, out);
      } else {
        s.pending.set(p.toolUseId, call);
      }
    }
    // Loop: the same tool with the same input, loopCount times within loopWindowMs.
    const lk = `${p.name}\u001f${p.inputHash}`;
    let w = s.loops.get(lk);
    if (w) {
      s.loops.delete(lk);
    } else {
      w = emptyWindow();
      if (s.loops.size >= MAX_LOOP_KEYS) {
        const oldest = s.loops.keys().next().value;
        if (oldest !== undefined) s.loops.delete(oldest);
      }
    }
    s.loops.set(lk, w);
    const fired = recordOccurrence(w, ts, 0, this.config.loopCount, this.config.loopWindowMs);
    if (fired) {
      out.push(
        derived(s, 'loop.detected', [p.name, p.inputHash, ev.id], ts, ev.agentId, {
          tool: p.name,
          inputHash: p.inputHash,
          count: fired.tags.length,
          windowMs: this.config.loopWindowMs,
          firstTs: new Date(fired.firstTs).toISOString(),
          lastTs: new Date(fired.lastTs).toISOString(),
        }),
      );
    }
  }

  private onToolResult(s: SessionState, ev: EventOf<'tool.result'>, ts: number, out: DerivedEvent[]): void {
    const p = ev.payload;
    const result: EarlyResult = {
      endTs: ts,
      isError: p.isError,
      errorClass: p.errorClass,
      reportedDurationMs: p.durationMs,
      agentId: ev.agentId,
    };
    const call = s.pending.get(p.toolUseId);
    const closed = s.closed.get(p.toolUseId);
    let counted = true;
    if (call) {
      s.pending.delete(p.toolUseId);
      this.emitSpan(s, p.toolUseId, call, result, out);
    } else if (closed) {
      // Answered after the session ended and the call was reported orphaned: report the real span.
      s.orphaned -= 1;
      this.emitSpan(s, p.toolUseId, closed, result, out);
    } else if (closed === null) {
      counted = false; // a second result for an answered call (a copy in another file)
    } else if (!s.early.has(p.toolUseId)) {
      if (s.early.size >= MAX_EARLY) {
        const oldest = s.early.keys().next().value;
        if (oldest !== undefined) s.early.delete(oldest);
      }
      s.early.set(p.toolUseId, result);
    } else {
      counted = false;
    }
    if (counted && p.isError) {
      s.toolErrors += 1;
      if (s.turn) s.turn.toolErrors += 1;
      this.onError(s, ev, ts, 0, out);
    }
  }

  private emitSpan(
    s: SessionState,
    toolUseId: string,
    call: PendingCall,
    result: EarlyResult | null,
    out: DerivedEvent[],
  ): void {
    const durationMs = result ? Math.max(0, result.endTs - call.startTs) : null;
    const stats = this.toolStats(s, call.tool);
    if (result) {
      if (result.isError) stats.errors += 1;
      pushBounded(stats.durations, durationMs!, TOOL_SAMPLE_CAP);
      pushBounded(s.toolDurations, durationMs!, SAMPLE_CAP);
    }
    if (!s.closed.has(toolUseId)) this.observer.toolSpan?.(call.tool, result?.isError ?? false, result === null);
    s.closed.set(toolUseId, result ? null : call);
    if (s.closed.size > MAX_CLOSED) {
      const oldest = s.closed.keys().next().value;
      if (oldest !== undefined) s.closed.delete(oldest);
    }
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

  /** Error burst: errorBurstCount tool or API errors within errorBurstWindowMs. tag 0 = tool, 1 = API. */
  private onError(s: SessionState, ev: CctapEvent, ts: number, tag: number, out: DerivedEvent[]): void {
    const fired = recordOccurrence(s.errors, ts, tag, this.config.errorBurstCount, this.config.errorBurstWindowMs);
    if (!fired) return;
    const api = fired.tags.filter((t) => t === 1).length;
    out.push(
      derived(s, 'error.burst', [ev.id], ts, null, {
        count: fired.tags.length,
        toolErrors: fired.tags.length - api,
        apiErrors: api,
        windowMs: this.config.errorBurstWindowMs,
        firstTs: new Date(fired.firstTs).toISOString(),
        lastTs: new Date(fired.lastTs).toISOString(),
      }),
    );
  }

  /** Per-lane sequence statistics: transitions, tool n-grams, gaps between events. */
  private sequence(s: SessionState, laneKey: string, ev: CctapEvent, ts: number): void {
    let sym: string | null;
    switch (ev.type) {
      case 'prompt':
        sym = 'prompt';
        break;
      case 'assistant':
        sym = 'assistant';
        break;
      case 'tool.call':
        sym = 'tool_call';
        break;
      case 'tool.result':
        sym = ev.payload.isError ? 'tool_error' : 'tool_result';
        break;
      case 'api.error':
      case 'rate_limit':
      case 'compaction':
      case 'interrupt':
        sym = ev.type.replace('.', '_');
        break;
      default:
        sym = null;
    }
    if (sym === null) return;
    let lane = s.lanes.get(laneKey);
    if (!lane) {
      lane = {
        lastTs: null,
        lastSym: null,
        lastMessageId: null,
        prevTool: null,
        prevPrevTool: null,
      } satisfies LaneState;
      if (s.lanes.size < MAX_AGENTS) s.lanes.set(laneKey, lane);
    }
    const messageId = ev.type === 'assistant' ? ev.payload.messageId : null;
    const sameResponse =
      sym === 'assistant' && lane.lastSym === 'assistant' && messageId !== null && messageId === lane.lastMessageId;
    if (!sameResponse) {
      if (lane.lastSym !== null) bump(s.transitions, gramKey([lane.lastSym, sym]), MAX_GRAMS);
      if (lane.lastTs !== null && ts >= lane.lastTs) pushBounded(s.gaps, ts - lane.lastTs, SAMPLE_CAP);
    }
    lane.lastSym = sym;
    lane.lastMessageId = messageId;
    if (lane.lastTs === null || ts > lane.lastTs) lane.lastTs = ts;
    if (ev.type === 'tool.call') {
      const tool = ev.payload.name;
      if (lane.prevTool !== null) bump(s.bigrams, gramKey([lane.prevTool, tool]), MAX_GRAMS);
      if (lane.prevPrevTool !== null && lane.prevTool !== null)
        bump(s.trigrams, gramKey([lane.prevPrevTool, lane.prevTool, tool]), MAX_GRAMS);
      lane.prevPrevTool = lane.prevTool;
      lane.prevTool = tool;
    }
  }

  // ── time ───────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Timeouts and periodic summaries at the clock's now. `settled`: the caller knows no more input is on its
   * way (the end of a one-shot backfill, a replay written in full), so sessions need not wait `settleMs`
   * after their last arrival, and a session changed since its last summary is summarized now rather than
   * at the next `summaryIntervalMs`: what is stored then reflects everything that was read.
   */
  tick(opts: { settled?: boolean } = {}): DerivedEvent[] {
    const now = this.clock.now();
    const c = this.config;
    const out: DerivedEvent[] = [];
    for (const key of [...this.recency.ordered()]) {
      const s = this.sessions.get(key)!;
      if (s.status === 'ended') {
        if (s.endedAtMs !== null && now - s.endedAtMs >= c.retainEndedMs) this.drop(s.key);
        continue;
      }
      const before = out.length;
      if (opts.settled || now - s.lastArrivalMs >= c.settleMs) {
        const t = s.turn;
        if (t && t.finalTs !== null && !t.waitingFired && !this.hasPendingMain(s)) {
          const since = Math.max(t.finalTs, s.lastActivityTs);
          if (now - since >= c.waitingMs) {
            t.waitingFired = true;
            out.push(
              derived(s, 'waiting.input', [t.promptEventId], since + c.waitingMs, null, {
                sinceTs: new Date(t.finalTs).toISOString(),
                waitedMs: c.waitingMs,
              }),
            );
            this.closeTurn(s, 'waiting', out);
          }
        }
        const quiet = now - s.lastActivityTs;
        if (s.status === 'active' && quiet >= c.idleMs) {
          s.status = 'idle';
          if (s.turn?.finalTs != null) this.closeTurn(s, 'idle', out);
          out.push(
            derived(s, 'session.idle', [s.lastActivityEventId], s.lastActivityTs + c.idleMs, null, {
              lastActivityTs: new Date(s.lastActivityTs).toISOString(),
              idleMs: c.idleMs,
            }),
          );
        }
        if (quiet >= c.endMs) {
          this.endSession(s, 'timeout', now, out);
          this.dirty.add(s.key);
          continue;
        }
      }
      if (s.summaryDirty && (opts.settled || now - s.lastSummaryAtMs >= c.summaryIntervalMs)) {
        this.checkAnomalies(s, out);
        this.emitSummary(s, false, now, out);
      }
      if (out.length > before) this.dirty.add(s.key);
    }
    return out;
  }

  private hasPendingMain(s: SessionState): boolean {
    for (const call of s.pending.values()) if (call.agentId === null) return true;
    return false;
  }

  private closeTurn(s: SessionState, closedBy: 'next_prompt' | 'waiting' | 'idle' | 'end', out: DerivedEvent[]): void {
    const t = s.turn;
    if (!t) return;
    s.turn = null;
    if (t.assistantMessages === 0 && t.toolCalls === 0) return;
    s.turns += 1;
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

  private endSession(s: SessionState, reason: 'timeout' | 'evicted', now: number, out: DerivedEvent[]): void {
    this.closeTurn(s, 'end', out);
    for (const [toolUseId, call] of s.pending) {
      s.orphaned += 1;
      this.emitSpan(s, toolUseId, call, null, out);
    }
    s.pending.clear();
    const ts = reason === 'timeout' ? s.lastActivityTs + this.config.endMs : s.lastActivityTs;
    out.push(
      derived(s, 'session.end', [s.lastActivityEventId], ts, null, {
        reason,
        startTs: new Date(s.startTs).toISOString(),
        lastActivityTs: new Date(s.lastActivityTs).toISOString(),
        durationMs: Math.max(0, s.lastActivityTs - s.startTs),
      }),
    );
    this.checkAnomalies(s, out);
    this.recordBaseline(s);
    s.status = 'ended';
    s.endedAtMs = now;
    this.ended += 1;
    this.emitSummary(s, true, now, out);
    compactEnded(s);
  }

  private emitSummary(s: SessionState, final: boolean, now: number, out: DerivedEvent[]): void {
    s.summaryRevision += 1;
    s.summaryDirty = false;
    s.lastSummaryAtMs = now;
    out.push(
      derived(
        s,
        'session.summary',
        [s.firstEventId, s.summaryRevision],
        s.lastActivityTs,
        null,
        buildSummary(s, final),
      ),
    );
  }

  // ── anomalies ──────────────────────────────────────────────────────────────────────────────────────

  private rates(s: SessionState): { tokenRate: number | null; errorRate: number | null } {
    const c = this.config;
    const duration = s.lastActivityTs - s.startTs;
    return {
      tokenRate: duration >= c.anomalyMinDurationMs ? s.tokens.total / (duration / 60_000) : null,
      errorRate: s.toolCalls >= c.anomalyMinToolCalls ? s.toolErrors / s.toolCalls : null,
    };
  }

  private checkAnomalies(s: SessionState, out: DerivedEvent[]): void {
    const b = this.baselines.get(s.user);
    if (!b) return;
    const c = this.config;
    const { tokenRate, errorRate } = this.rates(s);
    const check = (
      metric: 'token_rate' | 'error_rate',
      value: number | null,
      base: number[],
      floors: { relFloor: number; absFloor: number },
    ) => {
      if (value === null || base.length < c.anomalyMinBaseline || s.anomalies.includes(metric)) return;
      const score = robustZ(value, base, floors);
      if (!score || score.z < c.anomalyZ) return;
      s.anomalies.push(metric);
      out.push(
        derived(s, 'anomaly', [metric, s.firstEventId], s.lastActivityTs, null, {
          metric,
          value,
          baselineMedian: score.median,
          baselineMad: score.mad,
          robustZ: score.z,
          threshold: c.anomalyZ,
          baselineSessions: score.n,
        }),
      );
    };
    // Floors: a token rate within 10% (or 1,000 tokens/min) of the median is never anomalous, nor an error
    // rate within 2 percentage points.
    check('token_rate', tokenRate, b.tokenRates, { relFloor: 0.1, absFloor: 1000 });
    check('error_rate', errorRate, b.errorRates, { relFloor: 0.1, absFloor: 0.02 });
  }

  private recordBaseline(s: SessionState): void {
    if (s.baselineRecorded) return;
    s.baselineRecorded = true;
    const { tokenRate, errorRate } = this.rates(s);
    if (tokenRate === null && errorRate === null) return;
    let b = this.baselines.get(s.user);
    if (b) this.baselines.delete(s.user);
    b ??= { tokenRates: [], errorRates: [] };
    this.baselines.set(s.user, b);
    if (this.baselines.size > this.config.maxUsers) {
      const oldest = this.baselines.keys().next().value;
      if (oldest !== undefined) this.baselines.delete(oldest);
    }
    if (tokenRate !== null) pushBounded(b.tokenRates, tokenRate, this.config.baselineSize);
    if (errorRate !== null) pushBounded(b.errorRates, errorRate, this.config.baselineSize);
    this.dirtyUsers.add(s.user);
  }

  // ── state ──────────────────────────────────────────────────────────────────────────────────────────

  private drop(key: string): void {
    if (this.sessions.get(key)?.status === 'ended') this.ended -= 1;
    this.sessions.delete(key);
    this.recency.delete(key);
    this.dirty.delete(key);
    this.removed.add(key);
  }

  /** Changes since the previous call, ready to be written to a state store. */
  takeSnapshotDelta(): SnapshotDelta {
    const upserts = new Map<string, string>();
    for (const key of this.dirty) {
      const s = this.sessions.get(key);
      if (s) upserts.set(key, encodeState(s));
    }
    const delta: SnapshotDelta = {
      upserts,
      deletes: [...this.removed],
      baselines: new Map(),
    };
    for (const user of this.dirtyUsers) {
      const b = this.baselines.get(user);
      if (b) delta.baselines.set(user, encodeState({ user, ...b }));
    }
    this.dirty.clear();
    this.removed.clear();
    this.dirtyUsers.clear();
    return delta;
  }

  /** Loads state written by takeSnapshotDelta (sessions in any order). */
  restore(sessions: Iterable<string>, baselines: Iterable<string> = []): void {
    const list = [...sessions].map((text) => decodeState<SessionState>(text));
    // Least recently active first, so LRU eviction keeps its meaning after a restart.
    list.sort((a, b) => a.lastArrivalMs - b.lastArrivalMs || a.lastActivityTs - b.lastActivityTs);
    for (const s of list) {
      this.sessions.set(s.key, s);
      this.recency.touch(s.key);
      if (s.status === 'ended') this.ended += 1;
    }
    for (const text of baselines) {
      const { user, tokenRates, errorRates } = decodeState<UserBaseline & { user: string }>(text);
      this.baselines.set(user, { tokenRates, errorRates });
    }
  }

  /** Summaries of the sessions changed since their last one (a stop: what is stored reflects what was read). */
  summarizeChanged(): DerivedEvent[] {
    const now = this.clock.now();
    const out: DerivedEvent[] = [];
    for (const s of this.sessions.values()) {
      if (s.status === 'ended' || !s.summaryDirty) continue;
      this.emitSummary(s, false, now, out);
      this.dirty.add(s.key);
    }
    return out;
  }

  stats(): EngineStats {
    return { sessions: this.sessions.size, active: this.activeSessions(), ...this.counters };
  }

  /** One pass over the sessions held (at most maxSessions); see EngineStats.active. */
  private activeSessions(): number {
    if (this.ended === this.sessions.size) return 0;
    const since = this.clock.now() - this.config.endMs;
    let n = 0;
    for (const s of this.sessions.values()) if (s.status !== 'ended' && s.lastActivityTs > since) n += 1;
    return n;
  }

  /** Read-only view for tests and the service's gauges. */
  session(host: string, sessionId: string): Readonly<SessionState> | undefined {
    return this.sessions.get(sessionKey(host, sessionId));
  }
}

/**
 * A copy of an event already applied to this session (see SessionState.fileOffsets): a line below the mark
 * that is not newer than every line applied from the file. Newer means Claude Code rewrote the file (a
 * tombstone removed in place, compaction: later lines moved to lower offsets) and wrote this line since;
 * it is new, and the id check (the same line has the same id wherever it sits) catches real copies.
 */
function copiedLine(s: SessionState, ev: CctapEvent): boolean {
  const mark = s.fileOffsets.get(ev.source.path);
  if (!mark) return false;
  if (ev.source.offset === mark.offset) return mark.ids.includes(ev.id);
  if (ev.source.offset > mark.offset) return false;
  const ts = Date.parse(ev.ts);
  return mark.ts === undefined || !(ts > mark.ts);
}

/**
 * What an ended session no longer needs once its final summary is out. Kept: every counter and statistic a
 * resumed session's next summary continues from, the file marks (copy detection), calls reported orphaned
 * (a late result still reports the real span), and the max-rule entries of its last ENDED_RESPONSES
 * responses (a late replay of a recent response in another file must not count twice). Released: older
 * response entries, answered call ids, results waiting for a call, and the loop and error-burst windows
 * (all older than their window after endMs of quiet).
 */
function compactEnded(s: SessionState): void {
  let excess = s.responses.size - ENDED_RESPONSES;
  for (const key of s.responses.keys()) {
    if (excess-- <= 0) break;
    s.responses.delete(key);
  }
  s.early.clear();
  for (const [id, call] of s.closed) if (call === null) s.closed.delete(id);
  s.loops.clear();
  s.errors = emptyWindow();
}

function bump(map: Map<string, number>, key: string, cap: number): void {
  const v = map.get(key);
  if (v !== undefined) map.set(key, v + 1);
  else if (map.size < cap) map.set(key, 1);
}
