import type { CctapEvent, DerivedEvent } from '@cctap/events';
import { ConfigError } from '@cctap/kit';
import { ManualClock } from '@cctap/kit/internal';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type AnalyzerConfigInput } from '../config.js';
import { SessionScript } from '../testing/event-factory.js';
import { AnalyzerEngine } from './engine.js';
import v1 from './fixtures/snapshot-v1.json' with { type: 'json' };

interface V1Fixture {
  config: AnalyzerConfigInput;
  snapshotAtMs: number;
  snapshot: { sessions: string[]; baselines: string[] };
  next: { events: { ev: CctapEvent; seq: number }[]; ticks: number[]; derived: DerivedEvent[] };
}

const fixture = v1 as unknown as V1Fixture;

describe('analyzer snapshots', () => {
  it('restores state written by the release before versioned snapshots (v1) and derives what that release derived next', () => {
    expect(fixture.snapshot.sessions.every((text) => !text.includes('"version"'))).toBe(true);
    const clock = new ManualClock(fixture.snapshotAtMs);
    const engine = new AnalyzerEngine(resolveConfig(fixture.config), clock);
    engine.restore(fixture.snapshot.sessions, fixture.snapshot.baselines);
    expect(engine.stats().sessions).toBe(3);
    const out: DerivedEvent[] = [];
    for (const { ev, seq } of fixture.next.events) {
      clock.set(Math.max(clock.now(), Date.parse(ev.ts)));
      out.push(...engine.ingest([ev], seq));
    }
    for (const at of fixture.next.ticks) {
      clock.set(at);
      out.push(...engine.tick());
    }
    // copies of responses and calls counted before the snapshot count once (the response keys were migrated)
    expect(out).toEqual(fixture.next.derived);
  });

  it('writes version 2 and reads it back into the same behaviour', () => {
    const cfg = resolveConfig({ settleMs: 0 });
    const s = new SessionScript();
    const clock = new ManualClock(s.now);
    const engine = new AnalyzerEngine(cfg, clock);
    engine.ingest([s.prompt(), s.assistant({ toolUses: 1 }), s.toolCall('a', 'Bash')], 1);
    const delta = engine.takeSnapshotDelta();
    const [text] = [...delta.upserts.values()];
    expect(JSON.parse(text!)).toMatchObject({ version: 2, session: { sessionId: s.sessionId }, detectors: {} });
    const again = new AnalyzerEngine(cfg, clock);
    again.restore([text!]);
    const late = s.toolResult('a');
    clock.set(Date.parse(late.ts));
    expect(again.ingest([late], 2).map((d) => d.kind)).toEqual(['tool.span']);
    expect(again.takeSnapshotDelta().upserts.size).toBe(1);
  });

  it('drops the changes without writing them, for a store that keeps nothing, and behaves the same', () => {
    const cfg = resolveConfig({ settleMs: 0 });
    const s = new SessionScript();
    const kept = new AnalyzerEngine(cfg, new ManualClock(s.now));
    const dropped = new AnalyzerEngine(cfg, new ManualClock(s.now));
    const batches = [[s.prompt(), s.assistant({ toolUses: 1 }), s.toolCall('a', 'Bash')], [s.toolResult('a')]];
    batches.forEach((events, i) => {
      expect(dropped.ingest(events, i + 1)).toEqual(kept.ingest(events, i + 1));
      expect(kept.takeSnapshotDelta().upserts.size).toBe(1);
      dropped.dropSnapshotDelta();
      // What was dropped is not written later either: only changes after the drop are.
      expect(dropped.takeSnapshotDelta().upserts.size).toBe(0);
    });
  });

  it('refuses, in one sentence, state written by a newer release', () => {
    const engine = new AnalyzerEngine(resolveConfig(), new ManualClock(0));
    const restore = () => engine.restore(['{"version":3,"session":{},"detectors":{}}']);
    expect(restore).toThrow(ConfigError);
    expect(restore).toThrow(/analyzer state of version 3: this release reads versions 1 to 2/);
  });
});
