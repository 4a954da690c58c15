/**
 * Per-lane sequence statistics: transitions between event kinds, tool bigrams and trigrams, gaps between
 * events. A lane is the main conversation or one subagent; within it events are taken in file order (the
 * order Claude Code wrote, more faithful than timestamps: transcript-format section 10, results timestamped
 * before their predecessor). The lines of one streamed response are one `assistant` step.
 */
import type { CctapEvent } from '@cctap/events';
import { pushBounded } from '../core/stats.js';
import type { Detector } from './detector.js';

export const GRAM_SEP = '\u001f';
const SAMPLE_CAP = 1024;
const MAX_GRAMS = 512;
const MAX_LANES = 1024;

/** One ordered stream of a session: the main conversation, or one subagent. */
export interface LaneState {
  lastTs: number | null;
  lastSym: string | null;
  lastMessageId: string | null;
  prevTool: string | null;
  prevPrevTool: string | null;
}

export interface SequenceState {
  lanes: Map<string, LaneState>;
  bigrams: Map<string, number>;
  trigrams: Map<string, number>;
  transitions: Map<string, number>;
  gaps: number[];
}

const fresh = (): SequenceState => ({
  lanes: new Map(),
  bigrams: new Map(),
  trigrams: new Map(),
  transitions: new Map(),
  gaps: [],
});

export const sequence: Detector<SequenceState> = {
  name: 'sequence',
  init: fresh,

  onEvent(_s, st, { ev, ts, lane: laneKey }) {
    const sym = symbolOf(ev);
    if (sym === null) return;
    let lane = st.lanes.get(laneKey);
    if (!lane) {
      lane = { lastTs: null, lastSym: null, lastMessageId: null, prevTool: null, prevPrevTool: null };
      if (st.lanes.size < MAX_LANES) st.lanes.set(laneKey, lane);
    }
    const messageId = ev.type === 'assistant' ? ev.payload.messageId : null;
    const sameResponse =
      sym === 'assistant' && lane.lastSym === 'assistant' && messageId !== null && messageId === lane.lastMessageId;
    if (!sameResponse) {
      if (lane.lastSym !== null) bump(st.transitions, gramKey([lane.lastSym, sym]));
      if (lane.lastTs !== null && ts >= lane.lastTs) pushBounded(st.gaps, ts - lane.lastTs, SAMPLE_CAP);
    }
    lane.lastSym = sym;
    lane.lastMessageId = messageId;
    if (lane.lastTs === null || ts > lane.lastTs) lane.lastTs = ts;
    if (ev.type === 'tool.call') {
      const tool = ev.payload.name;
      if (lane.prevTool !== null) bump(st.bigrams, gramKey([lane.prevTool, tool]));
      if (lane.prevPrevTool !== null && lane.prevTool !== null)
        bump(st.trigrams, gramKey([lane.prevPrevTool, lane.prevTool, tool]));
      lane.prevPrevTool = lane.prevTool;
      lane.prevTool = tool;
    }
  },

  snapshot: (st) => st,
  restore: (saved) => (saved as SequenceState | undefined) ?? fresh(),
};

function gramKey(parts: readonly string[]): string {
  return parts.join(GRAM_SEP);
}

function symbolOf(ev: CctapEvent): string | null {
  switch (ev.type) {
    case 'prompt':
      return 'prompt';
    case 'assistant':
      return 'assistant';
    case 'tool.call':
      return 'tool_call';
    case 'tool.result':
      return ev.payload.isError ? 'tool_error' : 'tool_result';
    case 'api.error':
    case 'rate_limit':
    case 'compaction':
    case 'interrupt':
      return ev.type.replace('.', '_');
    default:
      return null;
  }
}

/** Counts `key`; a new key only while the map holds fewer than MAX_GRAMS (the first ones seen are kept). */
function bump(map: Map<string, number>, key: string): void {
  const v = map.get(key);
  if (v !== undefined) map.set(key, v + 1);
  else if (map.size < MAX_GRAMS) map.set(key, 1);
}
