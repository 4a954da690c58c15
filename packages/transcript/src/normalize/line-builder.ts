/**
 * Per-line state while a parsed line becomes events: the shared envelope, the shaper (privacy + caps) and
 * the event index that makes ids deterministic (lineEventId(host, sessionId, lineKey, index): the same line
 * gets the same ids wherever it sits, see normalize/line-key.ts).
 *
 * Envelope decisions:
 * - `project` is the line's `cwd` itself: lossless (two checkouts named `api` stay apart) and never derived
 *   from the lossy project folder slug. Reports shorten it for display. Lines without a cwd get ''.
 * - `sessionId`: the line's, else the path's (describeTranscriptPath). `agentId`: the line's, else the path's.
 * - `sidechain`: the line's `isSidechain`, or true for any line of a subagent file.
 * - Line facts of 2.1.97+ (entrypoint, promptId, origin kind, attribution*, sourceToolUseID), the path's
 *   workflow run and the file's spawn depth are set only when present, so older lines keep their shape.
 */
import { lineEventId, type CctapEvent, type EventType, type PayloadOf } from '@cctap/events';
import type { LineContext } from '../context.js';
import { pathInfoCached } from '../path/describe-transcript-path.js';
import type { Shaper } from '../privacy/shaper.js';
import { countOrNull, idStr, obj, pathStr, str, type Json } from './json-read.js';

type Envelope = Omit<CctapEvent, 'id' | 'type' | 'payload'>;
type LineFacts = Pick<
  Envelope,
  'entrypoint' | 'promptId' | 'origin' | 'attribution' | 'sourceToolUseId' | 'workflowRunId' | 'spawnDepth'
>;

const ATTRIBUTION = [
  ['agent', 'attributionAgent'],
  ['skill', 'attributionSkill'],
  ['mcpServer', 'attributionMcpServer'],
  ['mcpTool', 'attributionMcpTool'],
  ['plugin', 'attributionPlugin'],
] as const;

/** The optional envelope fields a line (or its file) has; null when it has none (all pre-2.1.97 lines). */
function lineFacts(rec: Json, ctx: LineContext, workflowRunId: string | null): LineFacts | null {
  const f: LineFacts = {};
  const entrypoint = idStr(rec.entrypoint);
  if (entrypoint !== null) f.entrypoint = entrypoint;
  const promptId = idStr(rec.promptId);
  if (promptId !== null) f.promptId = promptId;
  const origin = idStr(obj(rec.origin)?.kind);
  if (origin !== null) f.origin = origin;
  let attribution: NonNullable<LineFacts['attribution']> | null = null;
  for (const [key, field] of ATTRIBUTION) {
    const v = idStr(rec[field]);
    if (v !== null) (attribution ??= {})[key] = v;
  }
  if (attribution) f.attribution = attribution;
  const sourceToolUseId = idStr(rec.sourceToolUseID) ?? idStr(rec.sourceToolUseId);
  if (sourceToolUseId !== null) f.sourceToolUseId = sourceToolUseId;
  if (workflowRunId !== null) f.workflowRunId = workflowRunId;
  const spawnDepth = countOrNull(ctx.spawnDepth);
  if (spawnDepth !== null) f.spawnDepth = spawnDepth;
  return Object.keys(f).length > 0 ? f : null;
}

export class LineBuilder {
  readonly events: CctapEvent[] = [];
  private readonly env: Envelope;
  private readonly facts: LineFacts | null;

  constructor(
    readonly rec: Json,
    readonly ctx: LineContext,
    readonly shaper: Shaper,
    lineTs: string | null,
    private readonly lineKey: string,
  ) {
    const info = pathInfoCached(ctx.path);
    const agentId = idStr(rec.agentId) ?? info.agentId;
    // A path or branch name can hold a secret (or, in a branch, a customer's name): see Shaper.cwd/branch.
    // Masked, then clipped: clipping first could cut a secret to a part no rule recognises.
    const cwd = pathStr(shaper.cwd(str(rec.cwd) ?? '')) ?? '';
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
      gitBranch: idStr(shaper.branch(str(rec.gitBranch) ?? '')) ?? '',
      ccVersion: idStr(rec.version) ?? '',
      lineUuid: idStr(rec.uuid),
      parentUuid: idStr(rec.parentUuid),
      source: { path: ctx.path, offset: ctx.offset },
    };
    if (ctx.labels) this.env.labels = ctx.labels;
    this.facts = lineFacts(rec, ctx, info.workflowRunId);
  }

  emit<T extends EventType>(type: T, payload: PayloadOf<T>): void {
    const id = lineEventId(this.ctx.host, this.env.sessionId, this.lineKey, this.events.length);
    const e = this.env;
    // Literals instead of `{ id, type, ...env, payload }`: the spread cost 4-7% of the normalizer in CPU
    // profiles of the benchmark, the literals under 1%. Same keys in the same order (labels only when set).
    // The discriminated union cannot follow a generic `T`; the pair (type, payload) is typed by the signature.
    const event =
      e.labels === undefined
        ? {
            id,
            type,
            ts: e.ts,
            tsSource: e.tsSource,
            host: e.host,
            user: e.user,
            sessionId: e.sessionId,
            agentId: e.agentId,
            sidechain: e.sidechain,
            cwd: e.cwd,
            project: e.project,
            gitBranch: e.gitBranch,
            ccVersion: e.ccVersion,
            lineUuid: e.lineUuid,
            parentUuid: e.parentUuid,
            source: e.source,
            payload,
          }
        : {
            id,
            type,
            ts: e.ts,
            tsSource: e.tsSource,
            host: e.host,
            user: e.user,
            sessionId: e.sessionId,
            agentId: e.agentId,
            sidechain: e.sidechain,
            cwd: e.cwd,
            project: e.project,
            gitBranch: e.gitBranch,
            ccVersion: e.ccVersion,
            lineUuid: e.lineUuid,
            parentUuid: e.parentUuid,
            source: e.source,
            labels: e.labels,
            payload,
          };
    // After the literal, so lines without them (most, and every older one) pay nothing.
    if (this.facts) Object.assign(event, this.facts);
    this.events.push(event as CctapEvent);
  }

  meta(lineType: string, subtype: string | null, text: string | null): void {
    this.emit('meta', {
      lineType: idStr(lineType) ?? '',
      subtype: subtype === null ? null : (idStr(subtype) ?? null),
      text,
    });
  }
}
