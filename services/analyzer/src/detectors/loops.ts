/**
 * loop.detected: the same tool with the same input (hash) loopCount times within loopWindowMs, once per
 * episode (episode-window.ts). One window per (tool, input), the most recently used MAX_LOOP_KEYS kept.
 */
import { BoundedMap } from '@cctap/kit';
import { derived } from '../core/derived-builder.js';
import type { Detector } from './detector.js';
import { emptyWindow, recordOccurrence, type EpisodeWindow } from './episode-window.js';

const MAX_LOOP_KEYS = 1024;

export interface LoopsState {
  windows: BoundedMap<string, EpisodeWindow>;
}

export const loops: Detector<LoopsState> = {
  name: 'loops',
  init: () => ({ windows: new BoundedMap(MAX_LOOP_KEYS) }),

  onEvent(s, st, { ev, ts }, ctx, out) {
    if (ev.type !== 'tool.call') return;
    const p = ev.payload;
    const key = `${p.name}\u001f${p.inputHash}`;
    let w = st.windows.get(key);
    if (w) st.windows.touch(key);
    else {
      w = emptyWindow();
      st.windows.set(key, w);
    }
    const c = ctx.config;
    const fired = recordOccurrence(w, ts, 0, c.loopCount, c.loopWindowMs);
    if (!fired) return;
    out.push(
      derived(s, 'loop.detected', [p.name, p.inputHash, ev.id], ts, ev.agentId, {
        tool: p.name,
        inputHash: p.inputHash,
        count: fired.tags.length,
        windowMs: c.loopWindowMs,
        firstTs: new Date(fired.firstTs).toISOString(),
        lastTs: new Date(fired.lastTs).toISOString(),
      }),
    );
  },

  // After endMs of quiet every occurrence is older than its window.
  onCompact(st) {
    st.windows.clear();
  },

  snapshot: (st) => [...st.windows],
  restore(saved) {
    const st: LoopsState = { windows: new BoundedMap(MAX_LOOP_KEYS) };
    for (const [k, w] of (saved as [string, EpisodeWindow][] | undefined) ?? []) st.windows.set(k, w);
    return st;
  },
};
