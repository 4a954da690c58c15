import { describe, expect, it } from 'vitest';
import {
  encodeBatch,
  encodeDerived,
  SCHEMA_VERSION,
  topology,
  type CctapEvent,
  type DerivedEvent,
} from '@cctap/events';
import { sampleEvent } from '@cctap/events/testing';
import { LiveSessions } from './live-sessions.js';

const t = topology();
const batch = (...events: CctapEvent[]) =>
  encodeBatch({
    v: SCHEMA_VERSION,
    host: 'host-a',
    source: { path: '/p.jsonl', fileId: 'f1', from: 0, to: 100 },
    events,
  });
const derived = (kind: DerivedEvent['kind'], sessionId: string, payload: object): Uint8Array =>
  encodeDerived({
    id: `${kind}-${sessionId}`,
    ts: '2026-02-12T16:02:30.000Z',
    host: 'host-a',
    user: 'alice',
    sessionId,
    agentId: null,
    project: '/home/alice/app',
    gitBranch: 'main',
    kind,
    payload,
  } as DerivedEvent);

describe('LiveSessions', () => {
  it('reads only derived events before it is live, then what each session does from its events', () => {
    const live = new LiveSessions(t);
    const call = sampleEvent(
      'tool.call',
      { toolUseId: 'toolu_1', name: 'Bash', command: 'npm test' },
      { sessionId: 's1' },
    );
    live.observe(t.subjects.events('host-a'), batch(call));
    expect(live.list()).toEqual([]); // history: event batches are not read

    live.observe(t.subjects.derived('session.start', 'host-a'), derived('session.start', 's1', {}));
    expect(live.list().map((s) => [s.sessionId, s.doing])).toEqual([['s1', 'started']]);

    live.goLive();
    live.observe(t.subjects.events('host-a'), batch(call));
    expect(live.list()[0]).toMatchObject({ state: 'working', doing: 'running Bash: npm test', toolCalls: 1 });
    const failed = sampleEvent(
      'tool.result',
      { toolUseId: 'toolu_1', isError: true, errorClass: 'tool_error' },
      { sessionId: 's1', offset: 200 },
    );
    live.observe(t.subjects.events('host-a'), batch(failed));
    expect(live.list()[0]).toMatchObject({ doing: 'Bash failed (tool_error)', toolErrors: 1 });

    live.observe(t.subjects.derived('waiting.input', 'host-a'), derived('waiting.input', 's1', {}));
    expect(live.list()[0]).toMatchObject({ state: 'waiting', doing: 'waiting for input' });

    // Events of no session (heartbeats) are no one's doing; an ended session leaves.
    live.observe(t.subjects.events('host-a'), batch(sampleEvent('prompt', { text: 'x' }, { sessionId: '' })));
    expect(live.list()).toHaveLength(1);
    live.observe(t.subjects.derived('session.end', 'host-a'), derived('session.end', 's1', {}));
    expect(live.list()).toEqual([]);
  });

  it('shows a prompt as one line, without terminal escapes', () => {
    const live = new LiveSessions(t);
    live.goLive();
    const text = '\u001b[2mCompacted\u001b[22m\n  the   summary';
    live.observe(t.subjects.events('host-a'), batch(sampleEvent('prompt', { text }, { sessionId: 's2' })));
    expect(live.list()[0]?.doing).toBe('prompt: Compacted the summary');
  });
});
