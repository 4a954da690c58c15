/**
 * Lines that describe the session rather than the conversation (transcript-format.md sections 3.3-3.8):
 * they become `meta` events and never carry usage. `progress/agent_progress` lines embed full copies of
 * subagent assistant messages WITH usage: only their kind is kept, never anything that could be counted.
 * Types no known release writes become `unknown` with their top-level keys.
 */
import { idStr, obj } from './json-read.js';
import type { LineBuilder } from './line-builder.js';

/** Session metadata types (2.0.55 .. 2.1.97+) and the field that carries their text. */
const SESSION_METADATA: Record<string, readonly string[]> = {
  'custom-title': ['customTitle', 'title'],
  'ai-title': ['aiTitle', 'title'],
  'agent-name': ['agentName', 'name'],
  'last-prompt': ['lastPrompt', 'prompt'],
  'pr-link': ['prUrl', 'url'],
  'permission-mode': ['permissionMode', 'mode'],
  'agent-setting': [],
  'bridge-session': [],
  'worktree-state': [],
};

const MAX_KEYS = 64;

/** `lineChars`: length of the whole line, reported for unknown types. */
export function normalizeMetadata(L: LineBuilder, type: string, lineChars: number): void {
  const rec = L.rec;
  switch (type) {
    case 'summary':
      return L.meta(type, null, L.shaper.text(rec.summary));
    case 'file-history-snapshot':
      return L.meta(type, rec.isSnapshotUpdate === true ? 'update' : 'snapshot', null);
    case 'queue-operation':
      return L.meta(type, idStr(rec.operation), L.shaper.text(rec.content));
    case 'progress':
      return L.meta(type, idStr(obj(rec.data)?.type), null);
    case 'attachment':
      return L.meta(type, idStr(obj(rec.attachment)?.type), null);
  }
  const fields = SESSION_METADATA[type];
  if (fields) {
    const field = fields.find((f) => typeof rec[f] === 'string');
    return L.meta(type, null, field ? L.shaper.text(rec[field]) : null);
  }
  const keys = Object.keys(rec);
  L.emit('unknown', {
    lineType: type,
    keys: keys.slice(0, MAX_KEYS).map((k) => idStr(k) ?? ''),
    chars: lineChars,
  });
}
