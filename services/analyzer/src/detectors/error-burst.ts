/**
 * error.burst: errorBurstCount tool or API errors within errorBurstWindowMs, once per episode
 * (episode-window.ts). API errors arrive as events; tool errors are reported by the tool-span detector, which
 * knows which results count (not a second copy of an answered call). Also counts the session's API errors.
 */
import type { CctapEvent } from '@cctap/events';
import { derived } from '../core/derived-builder.js';
import type { Session } from '../core/session.js';
import { sliceOf, type Detector, type DetectorContext, type DerivedOut } from './detector.js';
import { emptyWindow, recordOccurrence, type EpisodeWindow } from './episode-window.js';

const TOOL = 0;
const API = 1;

export interface ErrorBurstState {
  errors: EpisodeWindow;
  apiErrors: number;
}

const fresh = (): ErrorBurstState => ({ errors: emptyWindow(), apiErrors: 0 });

export const errorBurst: Detector<ErrorBurstState> = {
  name: 'errorBurst',
  init: fresh,

  onEvent(s, st, { ev, ts }, ctx, out) {
    if (ev.type !== 'api.error') return;
    st.apiErrors += 1;
    record(s, st, ev, ts, API, ctx, out);
  },

  // After endMs of quiet every occurrence is older than the window.
  onCompact(st) {
    st.errors = emptyWindow();
  },

  snapshot: (st) => st,
  restore: (saved) => (saved as ErrorBurstState | undefined) ?? fresh(),
};

/** A counted tool error (see tool-spans.ts). */
export function recordToolError(s: Session, ev: CctapEvent, ts: number, ctx: DetectorContext, out: DerivedOut): void {
  record(s, sliceOf(s, errorBurst), ev, ts, TOOL, ctx, out);
}

function record(
  s: Session,
  st: ErrorBurstState,
  ev: CctapEvent,
  ts: number,
  tag: number,
  ctx: DetectorContext,
  out: DerivedOut,
): void {
  const c = ctx.config;
  const fired = recordOccurrence(st.errors, ts, tag, c.errorBurstCount, c.errorBurstWindowMs);
  if (!fired) return;
  const api = fired.tags.filter((t) => t === API).length;
  out.push(
    derived(s, 'error.burst', [ev.id], ts, null, {
      count: fired.tags.length,
      toolErrors: fired.tags.length - api,
      apiErrors: api,
      windowMs: c.errorBurstWindowMs,
      firstTs: new Date(fired.firstTs).toISOString(),
      lastTs: new Date(fired.lastTs).toISOString(),
    }),
  );
}
