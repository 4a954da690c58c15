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

/**
 * Reads a message body of the events stream (a batch) or the derived stream (one derived event, or an array).
 * Both are downstream of the validator, so shapes are trusted; anything unrecognisable yields nothing and is
 * counted by the caller.
 */
export function inputsOfMessage(value: unknown): EngineInput[] | null {
  if (Array.isArray(value)) {
    const out: EngineInput[] = [];
    for (const v of value) {
      const r = inputsOfMessage(v);
      if (r === null) return null;
      out.push(...r);
    }
    return out;
  }
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.events)) return (v.events as CctapEvent[]).map(fromEvent);
  if (typeof v.kind === 'string' && typeof v.host === 'string') return [fromDerived(value as DerivedEvent)];
  if (typeof v.type === 'string' && typeof v.host === 'string') return [fromEvent(value as CctapEvent)];
  return null;
}
