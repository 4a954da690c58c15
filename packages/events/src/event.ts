/**
 * The normalized event: a common envelope (who, where, when, which line) plus one typed payload.
 * `type` discriminates the payload. Objects are strict: the trust boundary rejects unknown fields.
 */
import { z } from 'zod';
import {
  apiErrorPayload,
  assistantPayload,
  compactionPayload,
  denialPayload,
  heartbeatPayload,
  interruptPayload,
  malformedPayload,
  metaPayload,
  promptPayload,
  quotaPayload,
  rateLimitPayload,
  refusalPayload,
  systemPayload,
  toolCallPayload,
  toolResultPayload,
  unknownPayload,
} from './payloads.js';
import { guardPayload } from './guard-payload.js';
import { TS_SOURCES } from './event-types.js';
import { count, eventId, hostToken, id, isoTs, path } from './primitives.js';

const eventSource = z.strictObject({
  path,
  /** Byte offset of the line's first byte in the file. */
  offset: count,
});

const envelope = {
  id: eventId,
  ts: isoTs,
  tsSource: z.enum(TS_SOURCES),
  host: hostToken,
  user: id,
  sessionId: id,
  agentId: id.nullable(),
  sidechain: z.boolean(),
  cwd: path,
  /** Derived from `cwd` (never from the lossy project folder name). */
  project: path,
  gitBranch: id,
  ccVersion: id,
  lineUuid: id.nullable(),
  parentUuid: id.nullable(),
  labels: z.record(z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/), id).optional(),
  source: eventSource,
  // Line facts of Claude Code 2.1.97+, absent on older lines and from older collectors.
  /** Where the session runs: cli, claude-vscode, claude-desktop, sdk-cli, sdk-ts, remote_mobile, … */
  entrypoint: id.optional(),
  /** Shared by the lines of one prompt's turn. */
  promptId: id.optional(),
  /** `origin.kind` of a prompt: human, task-notification, channel, … */
  origin: id.optional(),
  /** Which agent, skill, MCP server/tool or plugin the line belongs to (`attribution*` fields). */
  attribution: z
    .strictObject({
      agent: id.optional(),
      skill: id.optional(),
      mcpServer: id.optional(),
      mcpTool: id.optional(),
      plugin: id.optional(),
    })
    .optional(),
  /** The tool_use id that produced this line (attachments, hook output). */
  sourceToolUseId: id.optional(),
  /** The workflow run (`wf_…`) whose folder holds the file: workflow agents and the run's journal. */
  workflowRunId: id.optional(),
  /** Nesting depth of the subagent that wrote the line (its `agent-<id>.meta.json`), 1 for a direct child. */
  spawnDepth: count.optional(),
};

const variant = <T extends string, P extends z.ZodType>(type: T, payload: P) =>
  z.strictObject({ ...envelope, type: z.literal(type), payload });

const promptEvent = variant('prompt', promptPayload);
const assistantEvent = variant('assistant', assistantPayload);
const toolCallEvent = variant('tool.call', toolCallPayload);
const toolResultEvent = variant('tool.result', toolResultPayload);
const apiErrorEvent = variant('api.error', apiErrorPayload);
const rateLimitEvent = variant('rate_limit', rateLimitPayload);
const compactionEvent = variant('compaction', compactionPayload);
const interruptEvent = variant('interrupt', interruptPayload);
const denialEvent = variant('denial', denialPayload);
const refusalEvent = variant('refusal', refusalPayload);
const systemEvent = variant('system', systemPayload);
const metaEvent = variant('meta', metaPayload);
const unknownEvent = variant('unknown', unknownPayload);
const malformedEvent = variant('malformed', malformedPayload);
const heartbeatEvent = variant('heartbeat', heartbeatPayload);
const quotaEvent = variant('quota', quotaPayload);
const guardEvent = variant('guard', guardPayload);

export const eventSchema = z.discriminatedUnion('type', [
  promptEvent,
  assistantEvent,
  toolCallEvent,
  toolResultEvent,
  apiErrorEvent,
  rateLimitEvent,
  compactionEvent,
  interruptEvent,
  denialEvent,
  refusalEvent,
  systemEvent,
  metaEvent,
  unknownEvent,
  malformedEvent,
  heartbeatEvent,
  quotaEvent,
  guardEvent,
]);

export type CctapEvent = z.infer<typeof eventSchema>;
export type EventOf<T extends CctapEvent['type']> = Extract<CctapEvent, { type: T }>;
export type PayloadOf<T extends CctapEvent['type']> = EventOf<T>['payload'];
/** The envelope fields shared by every event type. */
export type EventEnvelope = Omit<CctapEvent, 'type' | 'payload'>;
