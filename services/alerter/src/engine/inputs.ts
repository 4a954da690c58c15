/** Turns contract events (normalized or derived) into engine inputs. */
import type { CctapEvent, DerivedEvent } from '@cctap/events';
import type { EngineInput } from './signal.js';

export function fromEvent(e: CctapEvent): EngineInput {
  return {
    source: 'events',
    type: e.type,
    id: e.id,
    ts: e.ts,
    host: e.host,
    user: e.user,
    sessionId: e.sessionId,
    project: e.project,
    ...(e.labels ? { labels: e.labels } : {}),
    payload: e.payload,
  };
}

export function fromDerived(d: DerivedEvent): EngineInput {
  return {
    source: 'derived',
    type: d.kind,
    id: d.id,
    ts: d.ts,
    host: d.host,
    user: d.user,
    sessionId: d.sessionId,
    project: d.project,
    payload: d.payload,
  };
}
