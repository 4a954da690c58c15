/**
 * The analyzer's pure core: normalized events in, derived events out. No I/O; time comes from the injected
 * clock, so tests and replays are deterministic. The engine is the loop: it drops what was applied already,
 * finds the session (session-lifecycle.ts: start, resume, timeouts, end, eviction), hands each event to the
 * detectors (detectors/index.ts, each with its own slice of the session) and writes snapshots (snapshot.ts).
 *
 * Ordering strategy: a session's events come from several files (main, subagents) that are published
 * independently, so arrival order across files is arbitrary. Rather than a reorder buffer (which cannot
 * help a backfill that sends a whole main file before its subagent files), every detector is
 * order-insensitive across files: spans pair by toolUseId whichever side comes first; tokens use the max
 * rule per response; windows (loop, error burst) insert occurrences by timestamp; context size follows the
 * latest assistant line by timestamp. Sequence statistics (n-grams, transitions, gaps) are computed per
 * lane (main conversation, or one subagent), in file order.
 *
 * Idempotency: an event id seen recently (bounded LRU) is ignored; a message whose stream sequence is at or
 * below the session's applied sequence is ignored (redelivery after a restart from a snapshot); a line
 * below its file's applied mark is a copy (file-marks.ts).
 */
import type { CctapEvent, DerivedEvent } from '@cctap/events';
import { LruSet, type Clock } from '@cctap/kit';
import { shippedBook, type PriceBook } from '@cctap/prices';
import type { AnalyzerConfig } from '../config.js';
import type { DetectorContext, SessionEvent } from '../detectors/detector.js';
import { DETECTORS } from '../detectors/index.js';
import { Baselines } from './baselines.js';
import { copiedLine, markApplied } from './file-marks.js';
import type { EngineObserver } from './observer.js';
import { sessionKey, type Session } from './session.js';
import { SessionLifecycle } from './session-lifecycle.js';
import { decodeBaseline, decodeSession, encodeBaseline, encodeSession } from './snapshot.js';
import { buildSummary, emitSummary, type SessionSummary } from './summary.js';

export type { EngineObserver } from './observer.js';

const MAIN = 'main';

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
  /** Sessions not ended whose last activity is within the end timeout (SessionLifecycle.active). */
  active: number;
  duplicates: number;
  skippedBySeq: number;
  evicted: number;
}

export class AnalyzerEngine {
  private readonly ctx: DetectorContext & { now: number };
  private readonly lifecycle: SessionLifecycle;
  private readonly seen: LruSet;
  private readonly counters = { duplicates: 0, skippedBySeq: 0 };

  constructor(
    private readonly config: AnalyzerConfig,
    private readonly clock: Clock,
    private readonly observer: EngineObserver = {},
    /** Cost is computed here from the central book (DESIGN section 7), never read from the host. */
    prices: PriceBook = shippedBook(),
  ) {
    this.seen = new LruSet(config.seenIdsCapacity);
    this.ctx = {
      config,
      observer,
      prices,
      baselines: new Baselines(config.maxUsers, config.baselineSize),
      now: clock.now(),
    };
    this.lifecycle = new SessionLifecycle(config, DETECTORS, this.ctx);
  }

  private at(): number {
    this.ctx.now = this.clock.now();
    return this.ctx.now;
  }

  // ── input ──────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Applies the events of one message (`seq` = its stream sequence, when it has one) and returns what
   * they let us conclude. Events of sessions that already applied this sequence are skipped.
   */
  ingest(events: readonly CctapEvent[], seq?: number): DerivedEvent[] {
    const out: DerivedEvent[] = [];
    const now = this.at();
    const fresh = seq === undefined ? null : new Set<string>();
    for (const ev of events) {
      // A `file` timestamp was made up for an untimed line before the first timed one (a leading summary or
      // file-history snapshot): it says nothing about when the session was active, and would stretch it to
      // whenever the file was last written. A quota reading comes from the status line, which Claude Code
      // refreshes while a session sits idle: not activity either. A guard decision comes from the PreToolUse
      // hook, beside the transcript, whose tool call and result tell the session's story.
      if (ev.type === 'heartbeat' || ev.type === 'quota' || ev.type === 'guard' || ev.tsSource === 'file') continue;
      const key = sessionKey(ev.host, ev.sessionId);
      let s = this.lifecycle.get(key);
      if (seq !== undefined && s && seq <= s.appliedSeq && !fresh!.has(key)) {
        this.counters.skippedBySeq += 1;
        continue;
      }
      if (s && seq !== undefined) {
        // the message counts as applied to this session even when all its events turn out to be copies
        if (seq > s.appliedSeq) {
          s.appliedSeq = seq;
          this.lifecycle.markDirty(key);
        }
        fresh!.add(key);
      }
      if (!this.seen.add(ev.id) || (s && copiedLine(s.fileOffsets, ev))) {
        this.counters.duplicates += 1;
        this.observer.duplicate?.();
        continue;
      }
      const ts = Date.parse(ev.ts);
      if (!s) {
        s = this.lifecycle.start(ev, ts, out);
      } else {
        this.lifecycle.touch(s);
        this.lifecycle.wake(s, ev, ts, out);
      }
      if (seq !== undefined) {
        s.appliedSeq = Math.max(s.appliedSeq, seq);
        fresh!.add(key);
      }
      markApplied(s.fileOffsets, ev, ts);
      this.apply(s, ev, ts, now, out);
    }
    return out;
  }

  private apply(s: Session, ev: CctapEvent, ts: number, now: number, out: DerivedEvent[]): void {
    s.lastArrivalMs = now;
    if (ts >= s.lastActivityTs) {
      s.lastActivityTs = ts;
      s.lastActivityEventId = ev.id;
      s.gitBranch = ev.gitBranch;
    }
    if (ts < s.startTs) s.startTs = ts;
    s.summaryDirty = true;
    this.lifecycle.markDirty(s.key);
    const lane = ev.agentId ?? (ev.sidechain ? 'sidechain' : MAIN);
    const e: SessionEvent = { ev, ts, lane, main: lane === MAIN };
    for (const d of DETECTORS) d.onEvent?.(s, s.slices[d.name], e, this.ctx, out);
  }

  // ── time ───────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Timeouts and periodic summaries at the clock's now. `settled`: the caller knows no more input is on its
   * way (the end of a one-shot backfill, a replay written in full), so sessions need not wait `settleMs`
   * after their last arrival, and a session changed since its last summary is summarized now rather than
   * at the next `summaryIntervalMs`: what is stored then reflects everything that was read.
   */
  tick(opts: { settled?: boolean } = {}): DerivedEvent[] {
    const now = this.at();
    const settled = opts.settled ?? false;
    const out: DerivedEvent[] = [];
    for (const key of this.lifecycle.keys()) {
      const s = this.lifecycle.get(key)!;
      const before = out.length;
      if (this.lifecycle.timeouts(s, settled, out)) continue;
      if (s.summaryDirty && (settled || now - s.lastSummaryAtMs >= this.config.summaryIntervalMs))
        this.lifecycle.review(s, out);
      if (out.length > before) this.lifecycle.markDirty(s.key);
    }
    return out;
  }

  /** Summaries of the sessions changed since their last one (a stop: what is stored reflects what was read). */
  summarizeChanged(): DerivedEvent[] {
    const now = this.at();
    const out: DerivedEvent[] = [];
    for (const s of this.lifecycle.values()) {
      if (s.status === 'ended' || !s.summaryDirty) continue;
      emitSummary(s, false, now, out);
      this.lifecycle.markDirty(s.key);
    }
    return out;
  }

  // ── state ──────────────────────────────────────────────────────────────────────────────────────────

  /** Changes since the previous call, ready to be written to a state store. */
  takeSnapshotDelta(): SnapshotDelta {
    const { changed, removed } = this.lifecycle.takeChanges();
    return {
      upserts: new Map(changed.map((s) => [s.key, encodeSession(s, DETECTORS)])),
      deletes: removed,
      baselines: new Map(this.ctx.baselines.takeChanged().map(([user, b]) => [user, encodeBaseline(user, b)])),
    };
  }

  /** Forgets the changes since the previous call, for a state store that keeps nothing (no JSON is made). */
  dropSnapshotDelta(): void {
    this.lifecycle.forgetChanges();
    this.ctx.baselines.takeChanged();
  }

  /** Loads state written by takeSnapshotDelta, of this release or an older one (sessions in any order). */
  restore(sessions: Iterable<string>, baselines: Iterable<string> = []): void {
    this.at();
    const list = [...sessions].map((text) => decodeSession(text, DETECTORS, this.ctx));
    // Least recently active first, so LRU eviction keeps its meaning after a restart.
    list.sort((a, b) => a.lastArrivalMs - b.lastArrivalMs || a.lastActivityTs - b.lastActivityTs);
    for (const s of list) this.lifecycle.restore(s);
    for (const text of baselines) {
      const { user, tokenRates, errorRates } = decodeBaseline(text);
      this.ctx.baselines.load(user, { tokenRates, errorRates });
    }
  }

  stats(): EngineStats {
    this.at();
    return {
      sessions: this.lifecycle.size,
      active: this.lifecycle.active(),
      ...this.counters,
      evicted: this.lifecycle.evictions,
    };
  }

  /** Read-only view for tests and the service's gauges. */
  session(host: string, sessionId: string): Readonly<Session> | undefined {
    return this.lifecycle.get(sessionKey(host, sessionId));
  }

  /** The totals a summary of this session would report now. */
  totals(host: string, sessionId: string): SessionSummary['totals'] | undefined {
    const s = this.lifecycle.get(sessionKey(host, sessionId));
    return s && buildSummary(s, false).totals;
  }
}
