/**
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
 *   "quiet" = clock - last activity (event time), checked only once no event of the session has arrived
 *   for settleMs (clock time). Timeout events carry ts = last activity + timeout: the instant the timeout
 *   elapsed, whatever moment the tick ran, so a replay emits identical events.
 *
 * Memory: at most maxSessions sessions are held, in a BoundedMap ordered by recency of activity (O(1) per
 * event, whatever the number of sessions). A session that ends has its final summary emitted and then keeps
 * only what a late line needs (each detector's onCompact), so the sessions held for late lines cost little;
 * they are dropped after retainEndedMs, or first when the cap is reached.
 */
import type { CctapEvent, DerivedEvent } from '@cctap/events';
import { BoundedMap } from '@cctap/kit';
import type { AnalyzerConfig } from '../config.js';
import type { AnyDetector, DetectorContext } from '../detectors/detector.js';
import { derived } from './derived-builder.js';
import { sessionKey, slicesOf, type Session } from './session.js';
import { emitSummary } from './summary.js';

type Out = DerivedEvent[];

export class SessionLifecycle {
  private readonly sessions: BoundedMap<string, Session>;
  /** Sessions with status 'ended', kept up to date so the active count needs no scan when all ended. */
  private ended = 0;
  private lastTouched: string | null = null;
  /** Sessions changed, and dropped, since the last takeChanges(). */
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  evictions = 0;

  constructor(
    private readonly config: AnalyzerConfig,
    private readonly detectors: readonly AnyDetector[],
    private readonly ctx: DetectorContext,
  ) {
    this.sessions = new BoundedMap(config.maxSessions);
  }

  get size(): number {
    return this.sessions.size;
  }

  get(key: string): Session | undefined {
    return this.sessions.get(key);
  }

  /** Session keys, least recently active first. */
  keys(): string[] {
    return [...this.sessions.keys()];
  }

  values(): IterableIterator<Session> {
    return this.sessions.values();
  }

  markDirty(key: string): void {
    this.dirty.add(key);
  }

  /** A session's first event: session.start; beyond maxSessions the least recently active one is evicted. */
  start(ev: CctapEvent, ts: number, out: Out): Session {
    const now = this.ctx.now;
    const s: Session = {
      key: sessionKey(ev.host, ev.sessionId),
      host: ev.host,
      user: ev.user,
      sessionId: ev.sessionId,
      project: ev.project,
      gitBranch: ev.gitBranch,
      cwd: ev.cwd,
      ccVersion: ev.ccVersion,
      firstEventId: ev.id,
      startTs: ts,
      lastActivityTs: ts,
      lastActivityEventId: ev.id,
      lastArrivalMs: now,
      status: 'active',
      endedAtMs: null,
      appliedSeq: 0,
      fileOffsets: new Map(),
      summaryRevision: 0,
      summaryDirty: true,
      lastSummaryAtMs: now,
      slices: slicesOf(this.detectors, (i) => this.detectors[i]!.init(this.ctx)),
    };
    out.push(
      derived(s, 'session.start', [ev.id], ts, null, { cwd: s.cwd, ccVersion: s.ccVersion, firstEventId: ev.id }),
    );
    this.lastTouched = s.key;
    const evicted = this.sessions.set(s.key, s)?.[1];
    if (evicted) {
      if (evicted.status !== 'ended') this.end(evicted, 'evicted', out);
      this.forget(evicted);
      this.evictions += 1;
      this.ctx.observer.evicted?.();
    }
    return s;
  }

  /** Activity on a known session: it becomes the most recently active (skipped for consecutive events of one session). */
  touch(s: Session): void {
    if (s.key === this.lastTouched) return;
    this.sessions.touch(s.key);
    this.lastTouched = s.key;
  }

  /** Activity on a known session: reopen it if ended, resume it if idle and the activity is new. */
  wake(s: Session, ev: CctapEvent, ts: number, out: Out): void {
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

  /**
   * Timeouts of one session at the clock's now: an ended session past retainEndedMs is dropped; a settled
   * one (no arrival for settleMs, or `settled`) gets its detectors' timeouts, then goes idle or ends.
   * Returns true when the session ended or was dropped (nothing more to do for it in this tick).
   */
  timeouts(s: Session, settled: boolean, out: Out): boolean {
    const c = this.config;
    const now = this.ctx.now;
    if (s.status === 'ended') {
      if (s.endedAtMs !== null && now - s.endedAtMs >= c.retainEndedMs) this.drop(s.key);
      return true;
    }
    if (!settled && now - s.lastArrivalMs < c.settleMs) return false;
    for (const d of this.detectors) d.onTick?.(s, s.slices[d.name], this.ctx, out);
    const quiet = now - s.lastActivityTs;
    if (s.status === 'active' && quiet >= c.idleMs) {
      s.status = 'idle';
      for (const d of this.detectors) d.onIdle?.(s, s.slices[d.name], this.ctx, out);
      out.push(
        derived(s, 'session.idle', [s.lastActivityEventId], s.lastActivityTs + c.idleMs, null, {
          lastActivityTs: new Date(s.lastActivityTs).toISOString(),
          idleMs: c.idleMs,
        }),
      );
    }
    if (quiet < c.endMs) return false;
    this.end(s, 'timeout', out);
    this.dirty.add(s.key);
    return true;
  }

  /** Ends a session: detectors wind up, session.end, final verdicts and summary, then the state is compacted. */
  private end(s: Session, reason: 'timeout' | 'evicted', out: Out): void {
    for (const d of this.detectors) d.onEnd?.(s, s.slices[d.name], this.ctx, out);
    const ts = reason === 'timeout' ? s.lastActivityTs + this.config.endMs : s.lastActivityTs;
    out.push(
      derived(s, 'session.end', [s.lastActivityEventId], ts, null, {
        reason,
        startTs: new Date(s.startTs).toISOString(),
        lastActivityTs: new Date(s.lastActivityTs).toISOString(),
        durationMs: Math.max(0, s.lastActivityTs - s.startTs),
      }),
    );
    for (const d of this.detectors) d.onReview?.(s, s.slices[d.name], true, this.ctx, out);
    s.status = 'ended';
    s.endedAtMs = this.ctx.now;
    this.ended += 1;
    emitSummary(s, true, this.ctx.now, out);
    for (const d of this.detectors) d.onCompact?.(s.slices[d.name]);
  }

  /** A periodic summary, after the detectors' verdicts. */
  review(s: Session, out: Out): void {
    for (const d of this.detectors) d.onReview?.(s, s.slices[d.name], false, this.ctx, out);
    emitSummary(s, false, this.ctx.now, out);
  }

  /** Adds a session restored from a snapshot (least recently active first). */
  restore(s: Session): void {
    const evicted = this.sessions.set(s.key, s)?.[1];
    this.sessions.touch(s.key);
    if (s.status === 'ended') this.ended += 1;
    // More sessions saved than maxSessions allows now: the least recently active are let go.
    if (evicted) this.forget(evicted);
  }

  private drop(key: string): void {
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    this.forget(s);
  }

  private forget(s: Session): void {
    if (s.status === 'ended') this.ended -= 1;
    this.dirty.delete(s.key);
    this.removed.add(s.key);
    if (this.lastTouched === s.key) this.lastTouched = null;
  }

  /** Sessions changed and dropped since the previous call. */
  takeChanges(): { changed: Session[]; removed: string[] } {
    const changed: Session[] = [];
    for (const key of this.dirty) {
      const s = this.sessions.get(key);
      if (s) changed.push(s);
    }
    const removed = [...this.removed];
    this.dirty.clear();
    this.removed.clear();
    return { changed, removed };
  }

  /** Forgets what changed since the previous takeChanges(), for a state store that keeps nothing. */
  forgetChanges(): void {
    this.dirty.clear();
    this.removed.clear();
  }

  /**
   * Sessions not ended whose last activity is within the end timeout. A session seen only in history (a
   * backfill of last month) is not active even before its end is concluded: timeouts wait settleMs after
   * the last arrival, so that a backfill's late subagent lines do not end and reopen it.
   */
  active(): number {
    if (this.ended === this.sessions.size) return 0;
    const since = this.ctx.now - this.config.endMs;
    let n = 0;
    for (const s of this.sessions.values()) if (s.status !== 'ended' && s.lastActivityTs > since) n += 1;
    return n;
  }
}
