/**
 * Denied tool calls by kind and model refusals by (refusing model, fallback model), per session. Both are
 * optional in SessionState: snapshots written before they existed restore without them, and a session
 * that never had one carries nothing.
 */
import { DENIAL_KINDS, type DenialKind } from '@cctap/events';
import type { SessionState } from './session-state.js';

const SEP = '\u001f';
/** Distinct model pairs kept per session (the summary reports at most 16). */
const MAX_PAIRS = 16;

export function countDenial(s: SessionState, kind: DenialKind): void {
  const d = (s.denials ??= Object.fromEntries(DENIAL_KINDS.map((k) => [k, 0])) as Record<DenialKind, number>);
  d[kind] += 1;
}

export function countRefusal(s: SessionState, originalModel: string, fallbackModel: string): void {
  const m = (s.refusals ??= new Map());
  const key = `${originalModel}${SEP}${fallbackModel}`;
  if (m.has(key) || m.size < MAX_PAIRS) m.set(key, (m.get(key) ?? 0) + 1);
}

export function refusalPairs(s: SessionState): { originalModel: string; fallbackModel: string; count: number }[] {
  return [...(s.refusals ?? [])]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, count]) => {
      const [originalModel = '', fallbackModel = ''] = k.split(SEP);
      return { originalModel, fallbackModel, count };
    });
}
