/** Subagents of a session: distinct agent ids (subagent files) and inline subagents (Task roots in the main file). */
import type { Detector } from './detector.js';

const MAX_AGENTS = 1024;

export interface SubagentsState {
  agents: Set<string>;
  inline: number;
}

const fresh = (): SubagentsState => ({ agents: new Set(), inline: 0 });

export const subagents: Detector<SubagentsState> = {
  name: 'subagents',
  init: fresh,

  onEvent(_s, st, { ev }) {
    if (ev.agentId !== null && st.agents.size < MAX_AGENTS) st.agents.add(ev.agentId);
    if (ev.type === 'prompt' && ev.payload.kind === 'subagent_root' && ev.agentId === null) st.inline += 1;
  },

  snapshot: (st) => st,
  restore: (saved) => (saved as SubagentsState | undefined) ?? fresh(),
};
