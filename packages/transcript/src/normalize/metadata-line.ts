/**
 * Lines that describe the session rather than the conversation (transcript-format.md sections 3.3-3.8):
 * they become `meta` events and never carry usage. `progress/agent_progress` lines embed full copies of
 * subagent assistant messages WITH usage: only their kind is kept, never anything that could be counted.
 * The types of 2.1.2xx-2.1.332 (transcript-format-2026.md section 2) are `meta` too, with the field that
 * names their state as subtype when it is a short token. A workflow `journal.jsonl` line (no version, uuid
 * or timestamp; `{"type":"started"|"result","key":"v2:<sha256>",…}`) is recognised by its shape and path.
 * Types no known release writes become `unknown` with their top-level keys.
 */
import { pathInfoCached } from '../path/describe-transcript-path.js';
import { idStr, obj, type Json } from './json-read.js';
import type { LineBuilder } from './line-builder.js';
import { prLinkOf } from './tool-activity.js';

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
  // 2.1.2xx-2.1.332 (the writer's type table): free text, where a type has any.
  tag: ['tag'],
  relocated: ['relocatedCwd'],
  'agent-color': ['agentColor', 'color'],
  'file-history-delta': ['trackingPath'],
  'ended-by-model': ['reason'],
};

/**
 * Types of the writer's table (BIN-2.1.212 .. 2.1.332) and the fields that may name their state, read as a
 * subtype only when short and token-like. Their other fields (request shapes and blobs, data-flow records,
 * cost totals) never leave the host: they are internal state, some of it large.
 */
const SESSION_STATE: Record<string, readonly string[]> = {
  mode: ['mode'],
  'isolation-latch': ['isolation', 'mode', 'state'],
  'atis-latch': ['atis'],
  'memory-mode': ['memoryMode', 'mode'],
  'cost-state': [],
  'continued-in': [],
  'tools-used': [],
  'derived-from': ['kind', 'reason'],
  'session-owner': ['kind', 'owner'],
  'dev-mods': [],
  'resume-head-vouch': ['reason'],
  'history-suppression': ['reason'],
  'content-replacement': ['kind'],
  'fork-context-ref': ['kind'],
  'frame-link': ['kind'],
  'observer-ref': ['kind'],
  'attribution-snapshot': [],
};
/** Families whose members keep appearing (artifact-comment-monitor, data-flow-records, api-request-blob, …). */
const STATE_FAMILIES = ['artifact-', 'data-flow-', 'api-request', 'marble-origami-'];
const TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/;

function stateSubtype(rec: Json, fields: readonly string[]): string | null {
  for (const f of fields) {
    const v = rec[f];
    if (typeof v === 'string' && TOKEN.test(v)) return v;
    if (typeof v === 'boolean') return `${f}:${v}`;
  }
  return null;
}

/** A workflow run's journal line: a shape no transcript line has (no uuid, no version, a `v2:` cache key). */
function isJournalLine(rec: Json, type: string): boolean {
  return (
    (type === 'started' || type === 'result') &&
    typeof rec.key === 'string' &&
    rec.key.startsWith('v2:') &&
    rec.uuid === undefined &&
    rec.version === undefined
  );
}

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
  // Own keys only: `type` is the line's, and `toString` or `constructor` would find Object.prototype's.
  const fields = Object.hasOwn(SESSION_METADATA, type) ? SESSION_METADATA[type] : undefined;
  if (fields) {
    const field = fields.find((f) => typeof rec[f] === 'string');
    const pullRequest = type === 'pr-link' ? prLinkOf(rec, L.shaper) : null;
    if (pullRequest)
      return L.emit('meta', { lineType: type, subtype: null, text: L.shaper.text(rec.prUrl), pullRequest });
    return L.meta(type, type === 'file-history-delta' ? 'delta' : null, field ? L.shaper.text(rec[field]) : null);
  }
  const state = Object.hasOwn(SESSION_STATE, type) ? SESSION_STATE[type] : undefined;
  if (state) return L.meta(type, stateSubtype(rec, state), null);
  if (STATE_FAMILIES.some((p) => type.startsWith(p)))
    return L.meta(type, stateSubtype(rec, ['kind', 'state', 'status']), null);
  if (
    isJournalLine(rec, type) ||
    (pathInfoCached(L.ctx.path).layout === 'workflow-journal' && (type === 'started' || type === 'result'))
  ) {
    // The agent is the envelope's agentId, the run its workflowRunId (from the path); a result keeps its text.
    return L.meta('workflow-journal', type, L.shaper.text(rec.result));
  }
  const keys = Object.keys(rec);
  // A type or key of an unknown line can be anything, a token or a path included: see Shaper.name.
  L.emit('unknown', {
    lineType: idStr(L.shaper.name(type, 'type')) ?? '',
    keys: keys.slice(0, MAX_KEYS).map((k) => idStr(L.shaper.name(k, 'key')) ?? ''),
    chars: lineChars,
  });
}
