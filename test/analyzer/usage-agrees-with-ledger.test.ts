/**
 * The analyzer's per-session token totals and the transcript's UsageLedger (the status line's count) apply
 * one max rule (@cctap/events response-rule): on real transcripts with streamed responses and sidechains, in
 * file order and with the files in reverse order (a response's line in another file arriving first or last), and on a session whose lines
 * are copied into a subagent file, both give the same totals.
 */
import type { CctapEvent } from '@cctap/events';
import { AnalyzerEngine, resolveConfig } from '@cctap/analyzer/internal';
import { ManualClock } from '@cctap/kit/internal';
import { UsageLedger } from '@cctap/transcript';
import { describe, expect, it } from 'vitest';
import { SessionScript } from '../../services/analyzer/src/testing/event-factory.js';
import { realFixtureFiles } from '../support/paths.js';
import { fixtureEvents } from './support/fixture-events.js';

type Totals = { input: number; output: number; cacheCreation: number; cacheRead: number };

function analyzerTotals(events: readonly CctapEvent[]): Map<string, Totals> {
  const clock = new ManualClock(Math.max(...events.map((e) => Date.parse(e.ts))));
  const engine = new AnalyzerEngine(resolveConfig({ settleMs: 0 }), clock);
  for (const ev of events) engine.ingest([ev]);
  const out = new Map<string, Totals>();
  for (const id of new Set(events.map((e) => e.sessionId))) {
    // a session of untimed lines only never starts: nothing counted
    const t = engine.totals(events[0]!.host, id)?.tokens ?? { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
    out.set(id, { input: t.input, output: t.output, cacheCreation: t.cacheCreation, cacheRead: t.cacheRead });
  }
  return out;
}

/** Files in reverse order, each in its own order (as a collector reads it). */
function filesReversed(events: readonly CctapEvent[]): CctapEvent[] {
  const byFile = new Map<string, CctapEvent[]>();
  for (const ev of events) byFile.set(ev.source.path, [...(byFile.get(ev.source.path) ?? []), ev]);
  return [...byFile.values()].reverse().flat();
}

function ledgerTotals(events: readonly CctapEvent[]): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const id of new Set(events.map((e) => e.sessionId))) {
    const ledger = new UsageLedger();
    for (const ev of events) if (ev.sessionId === id) ledger.add(ev);
    const { input, output, cacheCreation, cacheRead } = ledger.totals();
    out.set(id, { input, output, cacheCreation, cacheRead });
  }
  return out;
}

describe('analyzer session tokens and the usage ledger', () => {
  it('agree on every real transcript, whatever the order its lines arrive in', () => {
    const files = realFixtureFiles();
    const events = files.flatMap((f) => fixtureEvents(f));
    const streamed = events.filter(
      (e, i) =>
        e.type === 'assistant' &&
        events.some((o, j) => j !== i && o.type === 'assistant' && o.payload.messageId === e.payload.messageId),
    );
    expect(streamed.length).toBeGreaterThan(10);
    expect(events.some((e) => e.type === 'assistant' && e.sidechain)).toBe(true);
    const expected = ledgerTotals(events);
    expect([...expected.values()].some((t) => t.output > 0)).toBe(true);
    expect(analyzerTotals(events)).toEqual(expected);
    expect(analyzerTotals(filesReversed(events))).toEqual(expected);
  });

  it('agree on a session with streamed lines, a copy in a subagent file, and a response without a request id', () => {
    const s = new SessionScript();
    const sub = new SessionScript({ file: 'f-sub' });
    // the subagent's own file (a real collector reads it from its own path)
    const inSubagentFile = (ev: ReturnType<SessionScript['assistant']>) => ({
      ...ev,
      source: { ...ev.source, path: `${ev.source.path}.agent-1` },
    });
    const noRequest = (ev: ReturnType<SessionScript['assistant']>) => ({
      ...ev,
      payload: { ...ev.payload, requestId: null },
    });
    const evs: CctapEvent[] = [
      s.prompt(),
      s.assistant({ messageId: 'msg_1', requestId: 'req_1', output: 3, toolUses: 1 }),
      s.assistant({ messageId: 'msg_1', requestId: 'req_1', output: 250, toolUses: 1 }),
      s.assistant({ messageId: 'msg_1', requestId: 'req_1', output: 250, cacheRead: 0, input: 1010 }),
      s.assistant({ messageId: 'msg_2', requestId: 'req_2', output: 80 }),
      // a sidechain line replaying main's response, and the subagent's own response
      ...[
        sub.assistant({ messageId: 'msg_1', requestId: 'req_1', output: 250, agentId: 'agent-1' }),
        sub.assistant({ messageId: 'msg_sub', requestId: 'req_sub', output: 40, agentId: 'agent-1' }),
        sub.assistant({ messageId: 'msg_sub', requestId: 'req_sub', output: 400, agentId: 'agent-1' }),
        // as large as main's msg_2 line, split otherwise, and written earlier: the earlier line counts
        sub.assistant({ messageId: 'msg_2', requestId: 'req_2', output: 1080, cacheRead: 0, agentId: 'agent-1' }),
      ].map(inSubagentFile),
      noRequest(s.assistant({ messageId: 'msg_gw', output: 7 })),
      noRequest(s.assistant({ messageId: 'msg_gw', output: 9 })),
    ];
    const expected = ledgerTotals(evs);
    expect(expected.get(s.sessionId)).toEqual({ input: 40, output: 1739, cacheCreation: 0, cacheRead: 3000 });
    expect(analyzerTotals(evs)).toEqual(expected);
    expect(analyzerTotals(filesReversed(evs))).toEqual(expected);
  });
});
