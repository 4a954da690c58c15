/**
 * One session's timeline for the web page: prompts, tool calls with their duration and outcome, compactions,
 * denials, what `cctap guard` blocked or asked about (or could not judge), API errors, rate limits, interrupts
 * and the alerts about it, in time order. The events table is
 * read for one session only (its session_id bloom filter index), and at most MAX_ITEMS entries are returned.
 */
import type { Store } from '@cctap/store';
import { oneLine } from './one-line.js';

export type TimelineKind =
  'prompt' | 'tool' | 'compaction' | 'denial' | 'guard' | 'api.error' | 'rate_limit' | 'interrupt' | 'alert';

export interface TimelineItem {
  kind: TimelineKind;
  ts: string;
  /** One short line: the prompt's start, the tool's name and command, the alert's summary. */
  text: string;
  /** Tools: how long the call took (the tool's own figure, else result time - call time); null when unanswered. */
  durationMs?: number | null;
  error?: boolean;
}

export interface Timeline {
  host: string;
  sessionId: string;
  items: TimelineItem[];
  /** More entries than were returned. */
  truncated: boolean;
}

const MAX_ITEMS = 2000;
const SHOWN_TYPES = [
  'prompt',
  'tool.call',
  'tool.result',
  'compaction',
  'denial',
  'guard',
  'api.error',
  'rate_limit',
  'interrupt',
];

interface EventRow {
  type: string;
  ms: number;
  tool_name: string;
  payload: string;
}

const clip = (s: unknown, n = 120) => oneLine(s, n);
const iso = (ms: number) => new Date(Number(ms)).toISOString();

export async function sessionTimeline(store: Store, host: string, sessionId: string): Promise<Timeline> {
  const [events, alerts] = await Promise.all([
    store.query<EventRow>(
      `SELECT type, toUnixTimestamp64Milli(ts) AS ms, tool_name, payload
       FROM events FINAL
       WHERE session_id = {sid:String} AND host = {host:String} AND type IN (${SHOWN_TYPES.map((t) => `'${t}'`).join(', ')})
       ORDER BY ts, source_offset LIMIT {limit:UInt32}`,
      { sid: sessionId, host, limit: MAX_ITEMS * 2 + 1 },
      { reusable: true },
    ),
    store.query<{ ms: number; rule: string; severity: string; summary: string }>(
      `SELECT toUnixTimestamp64Milli(ts) AS ms, rule, severity, summary
       FROM alerts FINAL WHERE session_id = {sid:String} AND host = {host:String} ORDER BY ts LIMIT 100`,
      { sid: sessionId, host },
      { reusable: true },
    ),
  ]);
  const items: TimelineItem[] = [];
  /** Calls waiting for their result, by tool use id. */
  const open = new Map<string, { item: TimelineItem; ms: number }>();
  for (const e of events) {
    const p = JSON.parse(e.payload) as Record<string, unknown>;
    const ts = iso(e.ms);
    switch (e.type) {
      case 'prompt':
        items.push({ kind: 'prompt', ts, text: clip(p.text) || `(${String(p.kind)})` });
        break;
      case 'tool.call': {
        const what = clip(p.command || p.filePath || '', 80);
        const item: TimelineItem = {
          kind: 'tool',
          ts,
          text: `${String(p.name ?? e.tool_name)}${what ? `: ${what}` : ''}`,
          durationMs: null,
          error: false,
        };
        items.push(item);
        open.set(String(p.toolUseId), { item, ms: Number(e.ms) });
        break;
      }
      case 'tool.result': {
        const call = open.get(String(p.toolUseId));
        if (!call) break;
        open.delete(String(p.toolUseId));
        call.item.durationMs = typeof p.durationMs === 'number' ? p.durationMs : Math.max(0, Number(e.ms) - call.ms);
        call.item.error = p.isError === true;
        if (call.item.error) call.item.text += `  (${String(p.errorClass ?? 'error')}: ${clip(p.output, 80)})`;
        break;
      }
      case 'compaction':
        items.push({
          kind: 'compaction',
          ts,
          text: `context compacted (${String(p.trigger)}${typeof p.preTokens === 'number' ? `, ${p.preTokens} tokens before` : ''})`,
        });
        break;
      case 'denial':
        items.push({
          kind: 'denial',
          ts,
          text: `${String(p.toolName ?? 'tool')} denied (${String(p.kind)})`,
          error: true,
        });
        break;
      case 'guard':
        // A call the guard let through without a word is not news; one it blocked, asked about or could not judge is.
        if (p.decision === 'allow' && p.error == null) break;
        items.push({
          kind: 'guard',
          ts,
          text:
            p.error == null
              ? `guard ${String(p.decision)}: ${String(p.tool)} (${String(p.rule)})${p.match ? ` ${clip(p.match, 80)}` : ''}`
              : `guard could not judge ${String(p.tool)}: ${clip(p.error, 80)}${p.failClosed === true ? ' (blocked)' : ''}`,
          error: p.decision === 'deny' || p.error != null,
        });
        break;
      case 'api.error':
        items.push({
          kind: 'api.error',
          ts,
          text: `API error ${String(p.status ?? '')} ${clip(p.message, 80)}`,
          error: true,
        });
        break;
      case 'rate_limit':
        items.push({
          kind: 'rate_limit',
          ts,
          text: `rate limit (${String(p.limitKind)}) ${clip(p.resetText, 60)}`,
          error: true,
        });
        break;
      case 'interrupt':
        items.push({ kind: 'interrupt', ts, text: p.forToolUse ? 'interrupted during a tool call' : 'interrupted' });
        break;
      default:
        break;
    }
  }
  for (const a of alerts)
    items.push({ kind: 'alert', ts: iso(a.ms), text: `${a.severity} ${a.rule}: ${clip(a.summary)}`, error: true });
  items.sort((a, b) => a.ts.localeCompare(b.ts));
  return {
    host,
    sessionId,
    items: items.slice(0, MAX_ITEMS),
    truncated: items.length > MAX_ITEMS || events.length > MAX_ITEMS * 2,
  };
}
