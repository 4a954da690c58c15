/**
 * Per-line state while a parsed line becomes events: the shared envelope, the shaper (privacy + caps) and
 * the event index that makes ids deterministic (eventId(host, fileId, offset, index)).
 *
 * Envelope decisions:
 * - `project` is the line's `cwd` itself: lossless (two checkouts named `api` stay apart) and never derived
 *   from the lossy project folder slug. Reports shorten it for display. Lines without a cwd get ''.
 * - `sessionId`: the line's, else the path's (describeTranscriptPath). `agentId`: the line's, else the path's.
 * - `sidechain`: the line's `isSidechain`, or true for any line of a subagent file.
 */
import { eventId, type CctapEvent, type EventType, type PayloadOf } from '@cctap/events';
import type { LineContext } from '../context.js';
import { pathInfoCached } from '../path/describe-transcript-path.js';
import type { Shaper } from '../privacy/shaper.js';
import { idStr, pathStr, type Json } from './json-read.js';

type Envelope = Omit<CctapEvent, 'id' | 'type' | 'payload'>;

export class LineBuilder {
  readonly events: CctapEvent[] = [];
  private readonly env: Envelope;

  constructor(
    readonly rec: Json,
    readonly ctx: LineContext,
    readonly shaper: Shaper,
    lineTs: string | null,
  ) {
    const info = pathInfoCached(ctx.path);
    const agentId = idStr(rec.agentId) ?? info.agentId;
    const cwd = pathStr(rec.cwd) ?? '';
    this.env = {
      ts: lineTs ?? ctx.fallbackTs,
      tsSource: lineTs ? 'line' : ctx.fallbackTsSource,
      host: ctx.host,
      user: ctx.user,
      sessionId: idStr(rec.sessionId) ?? info.sessionId,
      agentId,
      sidechain: rec.isSidechain === true || info.agentId !== null,
      cwd,
      project: cwd,
      gitBranch: idStr(rec.gitBranch) ?? '',
      ccVersion: idStr(rec.version) ?? '',
      lineUuid: idStr(rec.uuid),
      parentUuid: idStr(rec.parentUuid),
      source: { path: ctx.path, offset: ctx.offset },
    };
    if (ctx.labels) this.env.labels = ctx.labels;
  }

  emit<T extends EventType>(type: T, payload: PayloadOf<T>): void {
    const id = eventId(this.ctx.host, this.ctx.fileId, this.ctx.offset, this.events.length);
    const e = this.env;
    // Literals instead of `{ id, type, ...env, payload }`: the spread cost 4-7% of the normalizer in CPU
    // profiles of the benchmark, the literals under 1%. Same keys in the same order (labels only when set).
    // The discriminated union cannot follow a generic `T`; the pair (type, payload) is typed by the signature.
    const event = e.labels === undefined
      ? {
          id, type, ts: e.ts, tsSource: e.tsSource, host: e.host, user: e.user, sessionId: e.sessionId, agentId: e.agentId,
          sidechain: e.sidechain, cwd: e.cwd, project: e.project, gitBranch: e.gitBranch, ccVersion: e.ccVersion,
          lineUuid: e.lineUuid, parentUuid: e.parentUuid, source: e.source, payload,
        }
      : {
          id, type, ts: e.ts, tsSource: e.tsSource, host: e.host, user: e.user, sessionId: e.sessionId, agentId: e.agentId,
          sidechain: e.sidechain, cwd: e.cwd, project: e.project, gitBranch: e.gitBranch, ccVersion: e.ccVersion,
          lineUuid: e.lineUuid, parentUuid: e.parentUuid, source: e.source, labels: e.labels, payload,
        };
    this.events.push(event as CctapEvent);
  }

  meta(lineType: string, subtype: string | null, text: string | null): void {
    this.emit('meta', { lineType: idStr(lineType) ?? '', subtype: subtype === null ? null : (idStr(subtype) ?? null), text });
  }
}
