/** Builds derived events with the session's envelope and a deterministic id (ids.ts `stableUuid`). */
import { stableUuid, type DerivedKind, type DerivedOf, type DerivedPayloadOf } from '@cctap/events';
import type { SessionIdentity } from './session.js';

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * `key` names what makes this derived event unique within its session (an event id, a tool use id, a
 * revision): the same input therefore always yields the same id, whoever computes it and whenever.
 */
export function derived<K extends DerivedKind>(
  s: SessionIdentity,
  kind: K,
  key: readonly (string | number)[],
  ts: number,
  agentId: string | null,
  payload: DerivedPayloadOf<K>,
): DerivedOf<K> {
  const ev = {
    id: stableUuid('derived', kind, s.host, s.sessionId, ...key),
    kind,
    ts: iso(ts),
    host: s.host,
    user: s.user,
    sessionId: s.sessionId,
    agentId,
    project: s.project,
    gitBranch: s.gitBranch,
    payload,
  };
  // The generic K cannot narrow the discriminated union; kind and payload are tied by the signature.
  return ev as unknown as DerivedOf<K>;
}
