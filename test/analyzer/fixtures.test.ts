/**
 * The analyzer's core on the real transcripts (test/fixtures/real), normalized by the transcript package.
 * Expectations are computed from the events themselves (which calls have results), not hard-coded, except
 * the documented compaction of the 2.1.39 fixture (transcript-format section 8: preTokens 170,251).
 */
import type { CctapEvent, DerivedEvent } from '@cctap/events';
import { derivedEventSchema } from '@cctap/events/internal';
import { AnalyzerEngine, resolveConfig } from '@cctap/analyzer/internal';
import { ManualClock } from '@cctap/kit/internal';
import { describe, expect, it } from 'vitest';
import { realFixtureFiles } from '../support/paths.js';
import { fixtureEvents } from './support/fixture-events.js';

const DAY = 86_400_000;

function analyze(batches: CctapEvent[][], opts: { restartAfter?: number } = {}): DerivedEvent[] {
  const cfg = resolveConfig({ settleMs: 0 });
  const clock = new ManualClock(0);
  let engine = new AnalyzerEngine(cfg, clock);
  const out: DerivedEvent[] = [];
  const store = new Map<string, string>();
  const baselines = new Map<string, string>();
  batches.forEach((events, i) => {
    // arrival clock: shortly after each batch's newest event, never backwards
    const newest = Math.max(...events.map((e) => Date.parse(e.ts)));
    clock.set(Math.max(clock.now(), newest + 1000));
    out.push(...engine.ingest(events, i + 1));
    const d = engine.takeSnapshotDelta();
    for (const [k, v] of d.upserts) store.set(k, v);
    for (const k of d.deletes) store.delete(k);
    for (const [k, v] of d.baselines) baselines.set(k, v);
    if (i === opts.restartAfter) {
      engine = new AnalyzerEngine(cfg, clock);
      engine.restore(store.values(), baselines.values());
    }
  });
  clock.set(clock.now() + DAY);
  out.push(...engine.tick());
  return out;
}

/** Batches the way the collector cuts them: contiguous runs of one file. */
function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const files = realFixtureFiles();

describe('analyzer on real transcripts', () => {
  it.each(files.map((f) => [f.split('/').pop()!, f]))(
    '%s: every tool call paired with its result, the rest reported orphaned',
    (_name, file) => {
      const events = fixtureEvents(file);
      const calls = new Set(events.flatMap((e) => (e.type === 'tool.call' ? [e.payload.toolUseId] : [])));
      const results = new Set(events.flatMap((e) => (e.type === 'tool.result' ? [e.payload.toolUseId] : [])));
      const out = analyze(chunk(events, 50));
      for (const d of out) expect(derivedEventSchema.safeParse(d).success).toBe(true);
      const spans = out.filter((d) => d.kind === 'tool.span');
      expect(spans.map((s) => s.payload.toolUseId).sort()).toEqual([...calls].sort());
      for (const s of spans) expect(s.payload.orphaned).toBe(!results.has(s.payload.toolUseId));
      const summary = out.filter((d) => d.kind === 'session.summary').at(-1)!;
      expect(summary.payload.final).toBe(true);
      expect(summary.payload.totals.toolCalls).toBe(events.filter((e) => e.type === 'tool.call').length);
      expect(summary.payload.totals.orphanedToolCalls).toBe([...calls].filter((c) => !results.has(c)).length);
      // Untimed lines before the first timed one (tsSource 'file', e.g. a leading summary) open no session.
      expect(out.filter((d) => d.kind === 'session.start')).toHaveLength(
        new Set(events.filter((e) => e.tsSource !== 'file').map((e) => e.sessionId)).size,
      );
    },
  );

  it('detects the auto-compaction of the 2.1.39 session with its preTokens', () => {
    const file = files.find((f) => f.endsWith('spotter-v2.1.39-main-compaction-progress.jsonl'))!;
    const out = analyze(chunk(fixtureEvents(file), 100));
    const compactions = out.filter((d) => d.kind === 'compaction');
    expect(compactions.map((c) => [c.payload.trigger, c.payload.preTokens])).toEqual([['auto', 170_251]]);
    // the context before compaction was above 80% of the 200k window of the session's model
    expect(out.filter((d) => d.kind === 'context.high').length).toBeGreaterThanOrEqual(1);
    const summary = out.filter((d) => d.kind === 'session.summary').at(-1)!;
    expect(summary.payload.totals.compactions).toBe(1);
    expect(summary.payload.bigrams.length).toBeGreaterThan(0);
    expect(summary.payload.transitions.length).toBeGreaterThan(0);
  });

  it('pairs spans across the main file and its subagent files whatever order the files arrive in', () => {
    const main = fixtureEvents(files.find((f) => f.endsWith('spotter-v2.1.39-main-compaction-progress.jsonl'))!);
    const subs = ['spotter-v2.1.39-subagent-explore.jsonl', 'spotter-v2.1.39-subagent-acompact.jsonl'].map((n) =>
      fixtureEvents(files.find((f) => f.endsWith(n))!),
    );
    const all = [main, ...subs];
    const forward = analyze(all.flatMap((e) => chunk(e, 100)));
    const backward = analyze([...all].reverse().flatMap((e) => chunk(e, 100)));
    const spans = (out: DerivedEvent[]) =>
      out
        .filter((d) => d.kind === 'tool.span')
        .map((d) => `${d.sessionId}/${d.payload.toolUseId}/${d.payload.orphaned}/${d.payload.durationMs}`)
        .sort();
    expect(spans(backward)).toEqual(spans(forward));
    const tokens = (out: DerivedEvent[]) =>
      out
        .filter((d) => d.kind === 'session.summary' && d.payload.final)
        .map((d) => d.kind === 'session.summary' && d.payload.totals.tokens);
    expect(tokens(backward)).toEqual(tokens(forward));
  });

  it('a restart in the middle of a session gives the same derived events as an uninterrupted run', () => {
    const file = files.find((f) => f.endsWith('spotter-v2.1.39-main-compaction-progress.jsonl'))!;
    const batches = chunk(fixtureEvents(file), 100);
    const straight = analyze(batches);
    const restarted = analyze(batches, { restartAfter: Math.floor(batches.length / 2) });
    expect(straight.length).toBeGreaterThan(10);
    expect(restarted).toEqual(straight);
  });
});
