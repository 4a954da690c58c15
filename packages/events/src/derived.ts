/**
 * Derived events: what the analyzer concludes from the normalized event stream (DESIGN section 3).
 *
 * Same envelope style as the normalized events so one generic store (kind + JSON payload) holds them all:
 * `id` is deterministic (`stableUuid(kind, sessionId, key…)`, see ids.ts) so replaying the same input yields
 * the same ids; `ts` is event time (for timeouts: the instant the timeout elapsed, i.e. last activity + N).
 * `kind` discriminates the payload. Published on `cctap.derived.<kind>.<host>` (topology.ts).
 */
import { z } from 'zod';
import { DENIAL_KINDS, TOOL_ERROR_CLASSES, type DenialKind } from './event-types.js';
import { count, eventId, hostToken, id, isoTs, nonNegative, path } from './primitives.js';

export const DERIVED_KINDS = [
  'session.start',
  'session.idle',
  'session.resume',
  'session.end',
  'tool.span',
  'turn.complete',
  'compaction',
  'context.high',
  'loop.detected',
  'error.burst',
  'waiting.input',
  'anomaly',
  'session.summary',
] as const;
export type DerivedKind = (typeof DERIVED_KINDS)[number];

/** Token counts summed with the max rule per API response (never summed per line). */
const derivedTokens = z.strictObject({
  input: count,
  output: count,
  cacheCreation: count,
  cacheRead: count,
  total: count,
});

const distribution = z.strictObject({
  count,
  median: nonNegative.nullable(),
  p90: nonNegative.nullable(),
  max: nonNegative.nullable(),
});

const sessionStartPayload = z.strictObject({
  cwd: path,
  ccVersion: id,
  /** The event that opened the session (first one seen, by arrival). */
  firstEventId: eventId,
});

const sessionIdlePayload = z.strictObject({
  lastActivityTs: isoTs,
  idleMs: count,
});

const sessionResumePayload = z.strictObject({
  /** idle: activity after an idle period; end: a late line reopened an ended session. */
  from: z.enum(['idle', 'end']),
  gapMs: nonNegative,
});

const sessionEndPayload = z.strictObject({
  /** timeout: no activity for the end timeout; evicted: dropped to keep memory bounded (max sessions). */
  reason: z.enum(['timeout', 'evicted']),
  startTs: isoTs,
  lastActivityTs: isoTs,
  durationMs: nonNegative,
});

const toolSpanPayload = z.strictObject({
  toolUseId: id,
  tool: id,
  inputHash: id.nullable(),
  startTs: isoTs.nullable(),
  endTs: isoTs.nullable(),
  /** endTs - startTs by event time; null when either side is missing. */
  durationMs: nonNegative.nullable(),
  /** The duration the tool itself reported (toolUseResult), when it did. */
  reportedDurationMs: nonNegative.nullable(),
  isError: z.boolean(),
  errorClass: z.enum(TOOL_ERROR_CLASSES).nullable(),
  /** The call was never answered before the session ended (interrupt, crash). */
  orphaned: z.boolean(),
});

const turnCompletePayload = z.strictObject({
  /** 1-based index of the turn within the session. */
  turn: count,
  startTs: isoTs,
  endTs: isoTs,
  durationMs: nonNegative,
  toolCalls: count,
  toolErrors: count,
  assistantMessages: count,
  tokens: derivedTokens,
  /** null when some response of the turn had no price. */
  costUsd: nonNegative.nullable(),
  /** What closed the turn: the assistant's final answer was followed by a new prompt, a wait, idle or end. */
  closedBy: z.enum(['next_prompt', 'waiting', 'idle', 'end']),
});

const derivedCompactionPayload = z.strictObject({
  trigger: z.enum(['auto', 'manual', 'unknown']),
  preTokens: count.nullable(),
  micro: z.boolean(),
});

const contextHighPayload = z.strictObject({
  model: id,
  /** input + cache_creation + cache_read of the latest assistant line. */
  contextTokens: count,
  windowTokens: count,
  ratio: nonNegative,
  threshold: nonNegative,
});

const loopDetectedPayload = z.strictObject({
  tool: id,
  inputHash: id,
  count,
  windowMs: count,
  firstTs: isoTs,
  lastTs: isoTs,
});

const errorBurstPayload = z.strictObject({
  count,
  toolErrors: count,
  apiErrors: count,
  windowMs: count,
  firstTs: isoTs,
  lastTs: isoTs,
});

const waitingInputPayload = z.strictObject({
  /** When the assistant ended its turn. */
  sinceTs: isoTs,
  waitedMs: count,
});

const anomalyPayload = z.strictObject({
  metric: z.enum(['token_rate', 'error_rate']),
  /** token_rate: tokens per minute of session; error_rate: tool errors per tool call. */
  value: nonNegative,
  baselineMedian: nonNegative,
  baselineMad: nonNegative,
  /** (value - median) / (1.4826 * MAD), with a floor on the scale (see the analyzer's anomaly detector). */
  robustZ: z.number(),
  threshold: nonNegative,
  baselineSessions: count,
});

/** Denied tool calls of a session by kind (every kind present, 0 when none). */
const denialCounts = z.strictObject(
  Object.fromEntries(DENIAL_KINDS.map((k) => [k, count])) as Record<DenialKind, typeof count>,
);

/** Model refusals answered by a fallback model, per (refusing model, fallback model). */
const refusalCount = z.strictObject({ originalModel: id, fallbackModel: id, count });

const gramCount = z.strictObject({ seq: z.array(id).max(3), count });
const transition = z.strictObject({ from: id, to: id, count });
const toolCount = z.strictObject({ tool: id, calls: count, errors: count, durationMs: distribution });

const sessionSummaryPayload = z.strictObject({
  /** Grows with each update; the sink keeps the highest revision. */
  revision: count,
  /** true once emitted at session end (a late line can still reopen it and bump the revision). */
  final: z.boolean(),
  startTs: isoTs,
  endTs: isoTs,
  durationMs: nonNegative,
  models: z.array(id).max(32),
  totals: z.strictObject({
    prompts: count,
    turns: count,
    /** Distinct API responses (message id + request id). */
    assistantMessages: count,
    subagents: count,
    toolCalls: count,
    toolErrors: count,
    apiErrors: count,
    compactions: count,
    orphanedToolCalls: count,
    tokens: derivedTokens,
    costUsd: nonNegative,
    /** Responses whose model has no price: their cost is not in costUsd. */
    unpricedResponses: count,
    /** Denied tool calls by kind (absent from analyzers before 2.1.193 support). */
    denials: denialCounts.optional(),
    /** Model refusals that fell back to another model. */
    refusals: count.optional(),
  }),
  /** The refusals by model pair (absent when there were none). */
  refusals: z.array(refusalCount).max(16).optional(),
  tools: z.array(toolCount).max(64),
  bigrams: z.array(gramCount).max(32),
  trigrams: z.array(gramCount).max(32),
  /** Gaps between consecutive events of one lane (main or one subagent), and between turns. */
  eventGapMs: distribution,
  toolDurationMs: distribution,
  /** prompt -> assistant -> tool -> result -> … counts, main lane and subagents together. */
  transitions: z.array(transition).max(64),
});

const envelope = {
  id: eventId,
  ts: isoTs,
  host: hostToken,
  user: id,
  sessionId: id,
  agentId: id.nullable(),
  project: path,
  gitBranch: id,
};

const variant = <K extends DerivedKind, P extends z.ZodType>(kind: K, payload: P) =>
  z.strictObject({ ...envelope, kind: z.literal(kind), payload });

export const derivedEventSchema = z.discriminatedUnion('kind', [
  variant('session.start', sessionStartPayload),
  variant('session.idle', sessionIdlePayload),
  variant('session.resume', sessionResumePayload),
  variant('session.end', sessionEndPayload),
  variant('tool.span', toolSpanPayload),
  variant('turn.complete', turnCompletePayload),
  variant('compaction', derivedCompactionPayload),
  variant('context.high', contextHighPayload),
  variant('loop.detected', loopDetectedPayload),
  variant('error.burst', errorBurstPayload),
  variant('waiting.input', waitingInputPayload),
  variant('anomaly', anomalyPayload),
  variant('session.summary', sessionSummaryPayload),
]);

export type DerivedEvent = z.infer<typeof derivedEventSchema>;
export type DerivedOf<K extends DerivedKind> = Extract<DerivedEvent, { kind: K }>;
export type DerivedPayloadOf<K extends DerivedKind> = DerivedOf<K>['payload'];
