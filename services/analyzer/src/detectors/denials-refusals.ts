/**
 * Denied tool calls by kind and model refusals by (refusing model, fallback model), per session. Both are
 * absent until the first, so a session that never had one carries nothing (and its summary has the old shape).
 */
import { DENIAL_KINDS, type DenialKind } from '@cctap/events';
import type { Session } from '../core/session.js';
import { sliceOf, type Detector } from './detector.js';

const SEP = '\u001f';
/** Distinct model pairs kept per session (the summary reports at most 16). */
const MAX_PAIRS = 16;

export interface DenialsRefusalsState {
  denials?: Record<DenialKind, number>;
  /** Refusals by `originalModel \u001f fallbackModel`. */
  refusals?: Map<string, number>;
}

export const denialsRefusals: Detector<DenialsRefusalsState> = {
  name: 'denialsRefusals',
  init: () => ({}),

  onEvent(_s, st, { ev }, ctx) {
    if (ev.type === 'denial') {
      const kind = ev.payload.kind;
      const d = (st.denials ??= Object.fromEntries(DENIAL_KINDS.map((k) => [k, 0])) as Record<DenialKind, number>);
      d[kind] += 1;
      ctx.observer.denial?.(kind);
    } else if (ev.type === 'refusal') {
      const from = ev.payload.originalModel ?? '';
      const to = ev.payload.fallbackModel ?? '';
      const m = (st.refusals ??= new Map());
      const key = `${from}${SEP}${to}`;
      if (m.has(key) || m.size < MAX_PAIRS) m.set(key, (m.get(key) ?? 0) + 1);
      ctx.observer.refusal?.(from, to);
    }
  },

  snapshot: (st) => st,
  restore: (saved) => (saved as DenialsRefusalsState | undefined) ?? {},
};

export function refusalPairs(s: Session): { originalModel: string; fallbackModel: string; count: number }[] {
  return [...(sliceOf(s, denialsRefusals).refusals ?? [])]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, count]) => {
      const [originalModel = '', fallbackModel = ''] = k.split(SEP);
      return { originalModel, fallbackModel, count };
    });
}
