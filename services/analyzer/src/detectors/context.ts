/**
 * context.high: the main lane's context (input + cache tokens of its latest assistant line, by timestamp)
 * crossing `contextThreshold` of the model's window, once per crossing; a drop below it or a compaction
 * re-arms it. Also reports compactions.
 */
import type { EventOf } from '@cctap/events';
import { contextWindowOf } from '../core/context-window.js';
import { derived } from '../core/derived-builder.js';
import type { Session } from '../core/session.js';
import type { Detector, DetectorContext, DerivedOut } from './detector.js';

export interface ContextState {
  context: { ts: number; tokens: number; model: string } | null;
  armed: boolean;
  compactions: number;
}

const fresh = (): ContextState => ({ context: null, armed: true, compactions: 0 });

export const context: Detector<ContextState> = {
  name: 'context',
  init: fresh,

  onEvent(s, st, { ev, ts, main }, ctx, out) {
    if (ev.type === 'assistant') {
      if (main && !ev.payload.synthetic) onAssistant(s, st, ev, ts, ctx, out);
    } else if (ev.type === 'compaction') {
      st.compactions += 1;
      st.armed = true;
      out.push(
        derived(s, 'compaction', [ev.id], ts, ev.agentId, {
          trigger: ev.payload.trigger,
          preTokens: ev.payload.preTokens,
          micro: ev.payload.micro,
        }),
      );
    }
  },

  snapshot: (st) => st,
  restore: (saved) => (saved as ContextState | undefined) ?? fresh(),
};

function onAssistant(
  s: Session,
  st: ContextState,
  ev: EventOf<'assistant'>,
  ts: number,
  ctx: DetectorContext,
  out: DerivedOut,
): void {
  const u = ev.payload.usage;
  const tokens = u.input + u.cacheCreation + u.cacheRead;
  if (st.context && ts < st.context.ts) return; // an older line arriving late says nothing about now
  st.context = { ts, tokens, model: ev.payload.model };
  const c = ctx.config;
  const windowTokens = contextWindowOf(ev.payload.model, c.contextWindows, c.defaultContextWindow);
  const ratio = tokens / windowTokens;
  if (ratio < c.contextThreshold) {
    st.armed = true;
  } else if (st.armed) {
    st.armed = false;
    out.push(
      derived(s, 'context.high', [ev.id], ts, ev.agentId, {
        model: ev.payload.model,
        contextTokens: tokens,
        windowTokens,
        ratio,
        threshold: c.contextThreshold,
      }),
    );
  }
}
