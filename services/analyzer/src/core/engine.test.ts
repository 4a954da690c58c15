import type { CctapEvent, DerivedEvent } from '@cctap/events';
import { derivedEventSchema } from '@cctap/events/internal';
import { sampleEvent } from '@cctap/events/testing';
import { shippedBook, type PriceBook } from '@cctap/prices';
import { mergePriceText } from '@cctap/prices/internal';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type AnalyzerConfigInput } from '../config.js';
import { SessionScript } from '../testing/event-factory.js';
import { ManualClock } from '@cctap/kit/internal';
import { AnalyzerEngine } from './engine.js';
import { sliceOf } from '../detectors/detector.js';
import { DETECTORS } from '../detectors/index.js';
import { toolSpans } from '../detectors/tool-spans.js';
import { usage } from '../detectors/usage.js';
import { encodeSession } from './snapshot.js';

const MIN = 60_000;

function setup(cfg: AnalyzerConfigInput = {}, startMs = Date.parse('2026-02-12T10:00:00.000Z'), prices?: PriceBook) {
  const clock = new ManualClock(startMs);
  const engine = new AnalyzerEngine(resolveConfig({ settleMs: 0, ...cfg }), clock, {}, prices);
  const out: DerivedEvent[] = [];
  const feed = (...evs: CctapEvent[]) => {
    for (const ev of evs) {
      if (Date.parse(ev.ts) > clock.now()) clock.set(Date.parse(ev.ts));
      out.push(...engine.ingest([ev]));
    }
  };
  const tickAt = (ms: number) => {
    clock.set(ms);
    out.push(...engine.tick());
  };
  const kinds = (k: DerivedEvent['kind']) => out.filter((d) => d.kind === k);
  return { clock, engine, out, feed, tickAt, kinds };
}

function only<K extends DerivedEvent['kind']>(list: DerivedEvent[], kind: K): Extract<DerivedEvent, { kind: K }>[] {
  return list.filter((d): d is Extract<DerivedEvent, { kind: K }> => d.kind === kind);
}

describe('AnalyzerEngine', () => {
  it('takes no quota reading (status-line figures) for session activity: a session of readings alone never starts', () => {
    const t = setup();
    t.feed(sampleEvent('quota', {}, { ts: '2026-02-12T10:01:00.000Z', sessionId: 'readings-only' }));
    t.tickAt(Date.parse('2026-02-12T12:00:00.000Z'));
    expect(t.out).toEqual([]);
  });

  it('pairs tool calls with results in either order and reports unanswered calls as orphans at the end', () => {
    const t = setup();
    const s = new SessionScript();
    t.feed(
      s.prompt(),
      s.assistant({ toolUses: 2 }),
      s.toolCall('a', 'Read'),
      s.toolCall('b', 'Bash'),
      s.toolResult('a'),
    );
    const late = s.toolResult('c', { isError: true });
    t.feed(late, s.toolCall('c', 'Edit', { at: Date.parse(late.ts) - 500 }));
    t.tickAt(s.now + 31 * MIN);
    const spans = only(t.out, 'tool.span');
    expect(spans.map((x) => [x.payload.toolUseId, x.payload.orphaned, x.payload.isError])).toEqual([
      ['a', false, false],
      ['c', false, true],
      ['b', true, false],
    ]);
    expect(spans[0]!.payload.durationMs).toBe(2000);
    expect(spans[1]!.payload.durationMs).toBe(500);
    const summary = only(t.out, 'session.summary').at(-1)!;
    expect(summary.payload.final).toBe(true);
    expect(summary.payload.totals).toMatchObject({ toolCalls: 3, toolErrors: 1, orphanedToolCalls: 1, prompts: 1 });
    for (const d of t.out) expect(derivedEventSchema.safeParse(d).success, JSON.stringify(d)).toBe(true);
  });

  it('counts denials by kind and refusals by model pair in the session summary, and tells the observer', () => {
    const seen: string[] = [];
    const clock = new ManualClock(Date.parse('2026-02-12T10:00:00.000Z'));
    const engine = new AnalyzerEngine(resolveConfig({ settleMs: 0 }), clock, {
      denial: (kind) => seen.push(`denial ${kind}`),
      refusal: (from, to) => seen.push(`refusal ${from}>${to}`),
    });
    const s = new SessionScript();
    const evs = [
      s.prompt(),
      s.toolCall('a', 'Bash'),
      s.toolResult('a', { isError: true }),
      s.denial('a', 'user-rejected'),
      s.toolCall('b', 'Bash'),
      s.toolResult('b', { isError: true }),
      s.denial('b', 'automode-blocked'),
      s.denial('c', 'automode-blocked'),
      s.refusal('claude-fable-5', 'claude-opus-4-8'),
      s.refusal('claude-fable-5', 'claude-opus-4-8'),
    ];
    const out: DerivedEvent[] = [];
    for (const ev of evs) {
      clock.set(Date.parse(ev.ts));
      out.push(...engine.ingest([ev]));
    }
    clock.set(s.now + 31 * MIN);
    out.push(...engine.tick());
    const summary = only(out, 'session.summary').at(-1)!;
    expect(summary.payload.totals.denials).toEqual({
      'user-rejected': 1,
      'permission-rule': 0,
      'automode-blocked': 2,
      'automode-unavailable': 0,
      'automode-parsing-error': 0,
    });
    expect(summary.payload.totals.refusals).toBe(2);
    expect(summary.payload.refusals).toEqual([
      { originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', count: 2 },
    ]);
    expect(seen).toEqual([
      'denial user-rejected',
      'denial automode-blocked',
      'denial automode-blocked',
      'refusal claude-fable-5>claude-opus-4-8',
      'refusal claude-fable-5>claude-opus-4-8',
    ]);
    for (const d of out) expect(derivedEventSchema.safeParse(d).success, JSON.stringify(d)).toBe(true);
    // A session without either carries neither (older summaries keep their shape).
    const t = setup();
    const plain = new SessionScript({ sessionId: '21111111-2222-4333-8444-555555555555' });
    t.feed(plain.prompt(), plain.assistant());
    t.tickAt(plain.now + 31 * MIN);
    const p = only(t.out, 'session.summary').at(-1)!.payload;
    expect([p.totals.denials, p.totals.refusals, p.refusals]).toEqual([undefined, undefined, undefined]);
  });

  it('goes idle, resumes, ends on the clock and reopens on a late line', () => {
    const t = setup();
    const s = new SessionScript();
    t.feed(s.prompt(), s.assistant());
    const last = s.now;
    t.tickAt(last + 4 * MIN);
    expect(t.kinds('session.idle')).toHaveLength(0);
    t.tickAt(last + 5 * MIN);
    expect(only(t.out, 'session.idle')[0]!.ts).toBe(new Date(last + 5 * MIN).toISOString());
    t.feed(s.prompt('again', { at: last + 6 * MIN }));
    expect(only(t.out, 'session.resume')[0]!.payload).toEqual({ from: 'idle', gapMs: 6 * MIN });
    t.tickAt(last + 40 * MIN);
    const end = only(t.out, 'session.end');
    expect(end).toHaveLength(1);
    expect(end[0]!.ts).toBe(new Date(last + 6 * MIN + 30 * MIN).toISOString());
    expect(end[0]!.payload.reason).toBe('timeout');
    // a late line (older timestamp) reopens the ended session and a later end re-emits the same end id
    t.feed(s.assistant({ at: last + 1000 }));
    expect(only(t.out, 'session.resume').at(-1)!.payload.from).toBe('end');
    t.tickAt(last + 80 * MIN);
    const ends = only(t.out, 'session.end');
    expect(ends).toHaveLength(2);
    expect(ends[1]!.id).toBe(ends[0]!.id);
    const summaries = only(t.out, 'session.summary').filter((x) => x.payload.final);
    expect(summaries.map((x) => x.payload.revision)).toEqual([
      summaries[0]!.payload.revision,
      summaries[0]!.payload.revision + 1,
    ]);
    expect(summaries[1]!.payload.totals.assistantMessages).toBe(2);
  });

  it('completes turns and reports a session waiting on the human', () => {
    const t = setup();
    const s = new SessionScript();
    t.feed(
      s.prompt(),
      s.assistant({ toolUses: 1 }),
      s.toolCall('x', 'Grep'),
      s.toolResult('x'),
      s.assistant({ messageId: 'm-final' }),
    );
    const answered = s.now;
    t.tickAt(answered + 1 * MIN);
    expect(t.kinds('waiting.input')).toHaveLength(0);
    t.tickAt(answered + 2 * MIN);
    const waiting = only(t.out, 'waiting.input');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.payload.sinceTs).toBe(new Date(answered).toISOString());
    const turn = only(t.out, 'turn.complete');
    expect(turn).toHaveLength(1);
    expect(turn[0]!.payload).toMatchObject({
      turn: 1,
      toolCalls: 1,
      assistantMessages: 2,
      closedBy: 'waiting',
      durationMs: 4000,
    });
    // the next prompt opens turn 2; a prompt closes it
    t.feed(s.prompt('next', { at: answered + 3 * MIN }), s.assistant(), s.prompt('third'));
    expect(only(t.out, 'turn.complete').map((x) => x.payload.closedBy)).toEqual(['waiting', 'next_prompt']);
  });

  it('counts each API response once, keeping its largest line (max rule), and prices it with the book', () => {
    const t = setup();
    const s = new SessionScript();
    t.feed(
      s.prompt(),
      s.assistant({ messageId: 'm1', requestId: 'r1', output: 5, toolUses: 1 }),
      s.assistant({ messageId: 'm1', requestId: 'r1', output: 50, toolUses: 1 }),
      s.assistant({ messageId: 'm1', requestId: 'r1', output: 20, toolUses: 1 }),
      s.assistant({ messageId: 'm2', requestId: 'r2', output: 7, model: 'claude-opus-4-9' }),
    );
    t.tickAt(s.now + 31 * MIN);
    const sum = only(t.out, 'session.summary').at(-1)!.payload;
    expect(sum.totals.assistantMessages).toBe(2);
    expect(sum.totals.tokens).toEqual({ input: 20, output: 57, cacheCreation: 0, cacheRead: 2000, total: 2077 });
    // Sonnet 4.5, largest line: 10 input x $3 + 50 output x $15 + 1,000 cache reads x $0.30 per MTok
    expect(sum.totals.costUsd).toBeCloseTo(0.00108, 12);
    expect(sum.totals.unpricedResponses).toBe(1);
    expect(only(t.out, 'turn.complete')[0]!.payload.costUsd).toBeNull();
  });

  it('ignores a cost the host computed and prices from the book it was given', () => {
    const s = new SessionScript();
    const prompt = s.prompt();
    const line = s.assistant({ messageId: 'm1', requestId: 'r1', input: 100_000, output: 0, cacheRead: 0 });
    const hostCost = {
      ...line,
      payload: { ...line.payload, cost: { usd: 99, unpriced: false, priceVersion: 'old-host' } },
    };
    const shipped = setup();
    shipped.feed(prompt, hostCost);
    shipped.tickAt(s.now + 31 * MIN);
    expect(only(shipped.out, 'session.summary').at(-1)!.payload.totals.costUsd).toBeCloseTo(0.3, 12);
    const cheaper = mergePriceText(
      shippedBook(),
      'models:\n  claude-sonnet-4-5: { rates: { input: 2 } }\n',
      'test',
      'yaml',
    );
    const own = setup({}, undefined, cheaper);
    own.feed(prompt, hostCost);
    own.tickAt(s.now + 31 * MIN);
    expect(only(own.out, 'session.summary').at(-1)!.payload.totals.costUsd).toBeCloseTo(0.2, 12);
  });

  it('tells its observer about each unpriced response once', () => {
    const seen: string[] = [];
    const s = new SessionScript();
    const engine = new AnalyzerEngine(resolveConfig(), new ManualClock(s.now), { unpriced: (m) => seen.push(m) });
    const events = [
      s.assistant({ messageId: 'm1', requestId: 'r1', model: 'claude-opus-4-9' }),
      s.assistant({ messageId: 'm1', requestId: 'r1', model: 'claude-opus-4-9', output: 500 }),
      s.assistant({ messageId: 'm2', requestId: 'r2', model: 'deepseek-chat' }),
      s.assistant({ messageId: 'm3', requestId: 'r3' }),
    ];
    for (const e of events) engine.ingest([e]);
    expect(seen).toEqual(['claude-opus-4-9', 'deepseek-chat']);
  });

  it('reports context above the threshold once per crossing, re-armed by a compaction', () => {
    const t = setup();
    const s = new SessionScript();
    const big = { input: 1, cacheCreation: 9_999, cacheRead: 160_000 }; // 170,000 of 200,000 = 85%
    t.feed(s.prompt(), s.assistant({ ...big }), s.assistant({ ...big, cacheRead: 161_000 }));
    expect(only(t.out, 'context.high')).toHaveLength(1);
    expect(only(t.out, 'context.high')[0]!.payload).toMatchObject({
      contextTokens: 170_000,
      windowTokens: 200_000,
      ratio: 0.85,
    });
    t.feed(s.compaction(170_000), s.assistant({ cacheRead: 20_000 }), s.assistant({ ...big }));
    expect(only(t.out, 'context.high')).toHaveLength(2);
    expect(only(t.out, 'compaction')[0]!.payload.preTokens).toBe(170_000);
    // below the threshold: nothing
    const quiet = setup();
    const q = new SessionScript();
    quiet.feed(q.prompt(), q.assistant({ cacheRead: 150_000 }));
    expect(only(quiet.out, 'context.high')).toHaveLength(0);
  });

  it('detects a loop of identical tool calls, not different inputs nor calls spread beyond the window', () => {
    const t = setup({ loopCount: 4, loopWindowMs: 10 * MIN });
    const s = new SessionScript({ gapMs: 30_000 });
    t.feed(s.prompt());
    for (let i = 0; i < 6; i += 1) t.feed(s.toolCall(`same-${i}`, 'Edit', { inputHash: 'h-same' }));
    for (let i = 0; i < 6; i += 1) t.feed(s.toolCall(`diff-${i}`, 'Edit', { inputHash: `h-${i}` }));
    const loops = only(t.out, 'loop.detected');
    expect(loops).toHaveLength(1);
    expect(loops[0]!.payload).toMatchObject({ tool: 'Edit', inputHash: 'h-same', count: 4 });

    const spread = setup({ loopCount: 4, loopWindowMs: 10 * MIN });
    const w = new SessionScript({ gapMs: 4 * MIN });
    for (let i = 0; i < 6; i += 1) spread.feed(w.toolCall(`s-${i}`, 'Read', { inputHash: 'h' }));
    expect(only(spread.out, 'loop.detected')).toHaveLength(0);
  });

  it('detects an error burst from tool and API errors together, not scattered errors', () => {
    const t = setup({ errorBurstCount: 4, errorBurstWindowMs: 2 * MIN });
    const s = new SessionScript({ gapMs: 5_000 });
    t.feed(s.prompt());
    for (const id of ['e1', 'e2', 'e3']) t.feed(s.toolCall(id), s.toolResult(id, { isError: true }));
    t.feed(s.apiError(), s.apiError());
    const bursts = only(t.out, 'error.burst');
    expect(bursts).toHaveLength(1);
    expect(bursts[0]!.payload).toMatchObject({ count: 4, toolErrors: 3, apiErrors: 1 });

    const calm = setup({ errorBurstCount: 4, errorBurstWindowMs: 2 * MIN });
    const c = new SessionScript({ gapMs: 60_000 });
    for (const id of ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'])
      calm.feed(c.toolCall(id), c.toolResult(id, { isError: true }));
    expect(only(calm.out, 'error.burst')).toHaveLength(0);
  });

  it("flags a session whose token rate is far above the user's own baseline (robust z), not a normal one", () => {
    const run = (lastOutput: number, baselineSessions = 6) => {
      let start = Date.parse('2026-02-01T10:00:00.000Z');
      const t = setup({ anomalyMinBaseline: 5, anomalyMinDurationMs: 5 * MIN }, start);
      const sessions = [...Array.from({ length: baselineSessions }, (_, i) => 100_000 + i * 5_000), lastOutput];
      sessions.forEach((output, i) => {
        const s = new SessionScript({
          sessionId: `00000000-0000-4000-8000-00000000000${i}`,
          startMs: start,
          gapMs: 5 * MIN,
        });
        t.feed(s.prompt(), s.assistant({ output, cacheRead: 0 }), s.assistant({ output: 0, cacheRead: 0 }));
        t.tickAt(s.now + 31 * MIN);
        start = s.now + 2 * 3_600_000;
      });
      return only(t.out, 'anomaly');
    };
    const flagged = run(1_000_000);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.payload.metric).toBe('token_rate');
    expect(flagged[0]!.payload.robustZ).toBeGreaterThan(3.5);
    expect(flagged[0]!.payload.baselineSessions).toBe(6);
    expect(run(120_000)).toHaveLength(0);
    // too little history: no verdict even for the runaway session
    expect(run(1_000_000, 3)).toHaveLength(0);
  });

  it('ignores redelivered events and messages it already applied', () => {
    const t = setup();
    const s = new SessionScript();
    const evs = [s.prompt(), s.assistant({ toolUses: 1 }), s.toolCall('a'), s.toolResult('a')];
    const first = t.engine.ingest(evs, 7);
    expect(first.length).toBeGreaterThan(0);
    expect(t.engine.ingest(evs, 7)).toEqual([]);
    expect(t.engine.ingest(evs, 8)).toEqual([]);
    expect(t.engine.stats().skippedBySeq + t.engine.stats().duplicates).toBe(8);
  });

  it('ends the least recently active session beyond maxSessions', () => {
    const t = setup({ maxSessions: 2 });
    for (let i = 0; i < 3; i += 1) t.feed(new SessionScript({ sessionId: `s-${i}` }).prompt());
    const ends = only(t.out, 'session.end');
    expect(ends.map((e) => [e.sessionId, e.payload.reason])).toEqual([['s-0', 'evicted']]);
    expect(t.engine.stats()).toMatchObject({ sessions: 2, evicted: 1 });
  });

  it('a rewritten transcript: newer lines below the applied offset count, copies of older ones do not, across a restart', () => {
    const cfg = resolveConfig({ settleMs: 0 });
    const s = new SessionScript();
    const first = [s.prompt(), s.assistant({ toolUses: 1 }), s.toolCall('a', 'Bash'), s.toolResult('a')];
    const clock = new ManualClock(Date.parse(first[0]!.ts));
    let engine = new AnalyzerEngine(cfg, clock);
    const out: DerivedEvent[] = [];
    let seq = 0;
    const feed = (ev: CctapEvent) => {
      clock.set(Math.max(clock.now(), Date.parse(ev.ts)));
      out.push(...engine.ingest([ev], ++seq));
    };
    first.forEach(feed);
    // Restart from the snapshot: the recent-id set is empty, the per-file mark is what remains.
    const snap = engine.takeSnapshotDelta();
    engine = new AnalyzerEngine(cfg, clock);
    engine.restore([...snap.upserts.values()], [...snap.baselines.values()]);
    // The collector publishes an old line again (a crash before its ack): a copy.
    feed(first[2]!);
    // Compaction removed the first rows: the next turn's lines sit below the highest offset applied.
    const atLow = (ev: CctapEvent, offset: number): CctapEvent => ({ ...ev, source: { ...ev.source, offset } });
    feed(atLow(s.prompt(), 100));
    feed(atLow(s.assistant({ toolUses: 1 }), 200));
    feed(atLow(s.toolCall('b', 'Bash'), 300));
    feed(atLow(s.toolResult('b'), 400));
    clock.set(s.now + 31 * MIN);
    out.push(...engine.tick());
    expect(only(out, 'tool.span').map((x) => [x.payload.toolUseId, x.payload.orphaned])).toEqual([
      ['a', false],
      ['b', false],
    ]);
    expect(only(out, 'session.summary').at(-1)!.payload.totals).toMatchObject({ toolCalls: 2, prompts: 2 });
  });

  it('gives the same derived events after a restart from a snapshot as an uninterrupted run', () => {
    const s = new SessionScript({ gapMs: 20_000 });
    const evs: CctapEvent[] = [s.prompt(), s.assistant({ toolUses: 1 })];
    for (let i = 0; i < 8; i += 1)
      evs.push(s.toolCall(`t${i}`, 'Edit', { inputHash: 'same' }), s.toolResult(`t${i}`, { isError: i % 2 === 0 }));
    evs.push(s.assistant({ cacheRead: 170_000 }), s.compaction(170_251), s.assistant(), s.toolCall('never', 'Bash'));
    const t0 = Date.parse(evs[0]!.ts);
    const schedule = evs.map((ev, i) => ({ ev, seq: i + 1, now: Date.parse(ev.ts) }));
    const ticks = [t0 + 3 * MIN, t0 + 6 * MIN];
    const end = Date.parse(evs.at(-1)!.ts) + 40 * MIN;

    const run = (restartAfter: number | null) => {
      const cfg = resolveConfig({ settleMs: 0, summaryIntervalMs: 2 * MIN, loopCount: 3 });
      const clock = new ManualClock(t0);
      let engine = new AnalyzerEngine(cfg, clock);
      const store = new Map<string, string>();
      const baselines = new Map<string, string>();
      const save = () => {
        const d = engine.takeSnapshotDelta();
        for (const [k, v] of d.upserts) store.set(k, v);
        for (const k of d.deletes) store.delete(k);
        for (const [k, v] of d.baselines) baselines.set(k, v);
      };
      const out: DerivedEvent[] = [];
      let tickIdx = 0;
      schedule.forEach(({ ev, seq, now }, i) => {
        while (tickIdx < ticks.length && ticks[tickIdx]! <= now) {
          clock.set(ticks[tickIdx]!);
          out.push(...engine.tick());
          save();
          tickIdx += 1;
        }
        clock.set(now);
        out.push(...engine.ingest([ev], seq));
        save();
        if (i === restartAfter) {
          engine = new AnalyzerEngine(cfg, clock);
          engine.restore(store.values(), baselines.values());
          // redelivery of the last, already applied message: nothing new
          out.push(...engine.ingest([ev], seq));
        }
      });
      clock.set(end);
      out.push(...engine.tick());
      return out;
    };
    const straight = run(null);
    const restarted = run(9);
    expect(straight.map((d) => d.kind)).toContain('loop.detected');
    expect(straight.map((d) => d.kind)).toContain('session.end');
    expect(restarted).toEqual(straight);
  });

  describe('many short sessions', () => {
    it('holds at most maxSessions, whatever the number of sessions, and each one-line session stays small', () => {
      const t = setup({ maxSessions: 200, settleMs: 30_000 });
      let peak = 0;
      let bytes = 0;
      for (let i = 0; i < 5000; i += 1) {
        const s = new SessionScript({
          sessionId: `short-${i}`,
          host: `host-${i % 7}`,
          startMs: Date.parse('2026-02-12T10:00:00.000Z') + i * 1000,
        });
        t.feed(s.prompt());
        if (i % 100 === 99) {
          t.clock.advance(1000);
          t.out.push(...t.engine.tick());
          const delta = t.engine.takeSnapshotDelta();
          for (const v of delta.upserts.values()) bytes = Math.max(bytes, v.length);
        }
        peak = Math.max(peak, t.engine.stats().sessions);
      }
      expect(peak).toBe(200);
      expect(t.engine.stats()).toMatchObject({ sessions: 200, evicted: 5000 - 200 });
      expect(t.kinds('session.start')).toHaveLength(5000);
      // Every session not live any more ended exactly once, by timeout or by eviction.
      expect(t.kinds('session.end')).toHaveLength(5000 - t.engine.stats().active);
      // A one-line session's whole snapshot is a couple of KiB: the per-session cost does not grow with the count.
      expect(bytes).toBeGreaterThan(0);
      expect(bytes).toBeLessThan(4096);
    });

    it('releases most per-response and per-call state of a session once it ended, and a late line still counts once', () => {
      const t = setup();
      const s = new SessionScript();
      t.feed(s.prompt());
      for (let i = 0; i < 1000; i += 1) {
        t.feed(
          s.assistant({
            toolUses: 1,
            messageId: `msg_${i}`,
            requestId: `req_${i}`,
            input: 10,
            output: 5,
            cacheRead: 0,
          }),
          s.toolCall(`t${i}`, 'Bash'),
          s.toolResult(`t${i}`),
        );
      }
      const live = t.engine.session(s.host, s.sessionId)!;
      expect(sliceOf(live, usage).responses.size).toBe(1000);
      expect(sliceOf(live, toolSpans).closed.size).toBe(1000);
      const liveBytes = encodeSession(live, DETECTORS).length;
      t.tickAt(s.now + 31 * MIN);
      const ended = t.engine.session(s.host, s.sessionId)!;
      expect(ended.status).toBe('ended');
      expect(sliceOf(ended, usage).responses.size).toBe(256);
      expect(sliceOf(ended, toolSpans).closed.size).toBe(0);
      expect(encodeSession(ended, DETECTORS).length).toBeLessThan(liveBytes / 3);
      const final = only(t.out, 'session.summary').at(-1)!;
      expect(final.payload).toMatchObject({
        final: true,
        totals: { assistantMessages: 1000, toolCalls: 1000, tokens: { total: 1000 * 15 } },
      });
      // A late new response reopens the session and adds to the same totals; a late replay of a recent one does not.
      t.feed(s.assistant({ messageId: 'msg_late', requestId: 'req_late', input: 100, output: 1, cacheRead: 0 }));
      t.feed(
        s.assistant({
          messageId: 'msg_999',
          requestId: 'req_999',
          input: 10,
          output: 5,
          cacheRead: 0,
          agentId: 'replay',
        }),
      );
      expect(t.engine.session(s.host, s.sessionId)?.status).toBe('active');
      expect(t.engine.totals(s.host, s.sessionId)).toMatchObject({
        assistantMessages: 1001,
        tokens: { total: 1000 * 15 + 101 },
      });
    });
  });
  describe('sessions seen only in history', () => {
    it('are not active before their end is concluded, end at a settled tick, and are summarized then', () => {
      const start = Date.parse('2026-02-12T10:00:00.000Z');
      // The default settle delay: a backfill's sessions wait for it before they can end.
      const clock = new ManualClock(start + 60 * 24 * MIN);
      const engine = new AnalyzerEngine(resolveConfig(), clock);
      const old = new SessionScript({ startMs: start });
      const recent = new SessionScript({
        startMs: clock.now() - 2 * MIN,
        sessionId: '99999999-2222-4333-8444-555555555555',
      });
      const out = engine.ingest([old.prompt(), old.assistant(), recent.prompt(), recent.assistant()]);
      expect(out.filter((d) => d.kind === 'session.start')).toHaveLength(2);
      expect(engine.stats()).toMatchObject({ sessions: 2, active: 1 });
      expect(engine.tick().filter((d) => d.kind === 'session.end')).toEqual([]);
      const settled = engine.tick({ settled: true });
      expect(settled.filter((d) => d.kind === 'session.end').map((d) => d.sessionId)).toEqual([old.sessionId]);
      // Both summarized at once: the recent one without waiting for the summary interval.
      expect(
        settled
          .filter((d) => d.kind === 'session.summary')
          .map((d) => d.sessionId)
          .sort(),
      ).toEqual([old.sessionId, recent.sessionId].sort());
      expect(engine.stats()).toMatchObject({ sessions: 2, active: 1 });
      engine.ingest([recent.toolCall('t1')]);
      expect(engine.summarizeChanged().map((d) => d.sessionId)).toEqual([recent.sessionId]);
      expect(engine.summarizeChanged()).toEqual([]);
    });
  });
});
