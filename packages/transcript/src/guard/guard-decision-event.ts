/**
 * One line of `cctap guard`'s decisions file -> one `guard` event, with the collector's privacy mode
 * applied to what the line quotes (the matched command or path, the reason): the guard writes the call as
 * Claude Code gave it, and the host decides what leaves it, as it does for transcripts.
 *
 * The line's fields are those of apps/cctap/src/guard/decision-log.ts (format v1). The event id is a hash
 * of the host and the line's bytes: read again after a crash or a rotation, a line is the same event.
 */
import {
  DEFAULT_STRING_CAP,
  GUARD_DECISIONS,
  MAX_ID_CHARS,
  stableUuid,
  type CctapEvent,
  type EventOf,
  type PrivacyMode,
} from '@cctap/events';
import { Shaper } from '../privacy/shaper.js';

export interface GuardLineContext {
  host: string;
  user: string;
  privacy: PrivacyMode;
  stringCap?: number;
  labels?: Record<string, string>;
  /** The decisions file, and the byte offset of the line in it. */
  path: string;
  offset: number;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const ID_MAX = MAX_ID_CHARS;
const idOf = (v: unknown): string => str(v).slice(0, ID_MAX);

/** The `guard` event of one decision line, or a reason it is none (not JSON, not a v1 decision). */
export function guardDecisionEvent(
  line: string,
  ctx: GuardLineContext,
): { event: EventOf<'guard'> } | { failure: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return { failure: 'not JSON' };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { failure: 'not an object' };
  const o = doc as Record<string, unknown>;
  if (o.v !== 1) return { failure: `unknown format version ${JSON.stringify(o.v)}` };
  const decision = GUARD_DECISIONS.find((d) => d === o.decision);
  if (!decision) return { failure: `unknown decision ${JSON.stringify(o.decision)}` };
  const ts = str(o.ts);
  if (!ISO.test(ts)) return { failure: 'no ISO timestamp' };
  const shaper = new Shaper(ctx.privacy, ctx.stringCap ?? DEFAULT_STRING_CAP);
  const cwd = shaper.cwd(str(o.cwd));
  const findings = Array.isArray(o.findings)
    ? o.findings
        .filter((f): f is string => typeof f === 'string')
        .slice(0, 32)
        .map((f) => shaper.label(f).slice(0, ID_MAX))
    : [];
  const event = {
    id: stableUuid('guard', ctx.host, line),
    type: 'guard',
    ts: new Date(ts).toISOString(),
    tsSource: 'line',
    host: ctx.host,
    user: ctx.user,
    sessionId: idOf(o.sessionId),
    agentId: null,
    sidechain: false,
    cwd,
    project: cwd,
    gitBranch: '',
    ccVersion: '',
    lineUuid: null,
    parentUuid: null,
    ...(ctx.labels ? { labels: ctx.labels } : {}),
    source: { path: ctx.path, offset: ctx.offset },
    payload: {
      decision,
      rule: typeof o.rule === 'string' ? o.rule.slice(0, ID_MAX) : null,
      findings,
      match: shaper.text(o.match),
      reason: shaper.text(o.reason),
      tool: idOf(o.tool),
      toolUseId: idOf(o.toolUseId),
      permissionMode: idOf(o.permissionMode),
      error: shaper.text(o.error),
      failClosed: o.failClosed === true,
    },
  } satisfies CctapEvent;
  return { event };
}
