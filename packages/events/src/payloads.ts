/**
 * One payload schema per event type. Payloads never carry raw transcript objects: every field is named,
 * typed and bounded, so the trust boundary can check it and ClickHouse can store it.
 */
import { z } from 'zod';
import { DENIAL_KINDS, MALFORMED_REASONS, QUOTA_WINDOWS, TOOL_ERROR_CLASSES } from './event-types.js';
import { MAX_ADVISOR_ITERATIONS, MAX_UUID_LIST } from './limits.js';
import { count, id, isoTs, nonNegative, path, text } from './primitives.js';

export const promptPayload = z.strictObject({
  /** human: typed by a person; command: a slash/local command echo; task_notification: background work
   *  finished; subagent_root: the prompt that starts a subagent. */
  kind: z.enum(['human', 'command', 'task_notification', 'subagent_root']),
  text,
  /** Length of the original text, before truncation or redaction. */
  chars: count,
  images: count,
  permissionMode: id.nullable(),
});

const tokenUsage = z.strictObject({
  input: count,
  output: count,
  cacheCreation: count,
  cacheRead: count,
  /** Split of cacheCreation by TTL; 1-hour writes are priced at 2x input. Zero when the line has no split. */
  cacheCreation5m: count,
  cacheCreation1h: count,
  webSearchRequests: count,
  webFetchRequests: count,
});

/**
 * A cost computed on the host by collectors before the central price book existed. Central services never
 * read it (cost is computed where the tokens are stored, from one book); it stays accepted so older
 * collectors keep validating.
 */
const cost = z.strictObject({
  /** US dollars for this line's usage; null when the model has no price (never a silent 0). */
  usd: nonNegative.nullable(),
  unpriced: z.boolean(),
  /** Identifies the price table used, so a number can be recomputed and defended later. */
  priceVersion: id,
});

/** Usage of one advisor sub-inference of a response (`usage.iterations[]` of type `advisor_message`). */
const advisorUsage = z.strictObject({
  /** The advisor's model: its tokens are billed at that model's rates. */
  model: id,
  usage: tokenUsage,
});

export const assistantPayload = z.strictObject({
  model: id,
  messageId: id.nullable(),
  requestId: id.nullable(),
  stopReason: id.nullable(),
  /** `<synthetic>` lines are written by the CLI, not the API: never priced. */
  synthetic: z.boolean(),
  usage: tokenUsage,
  speed: id.nullable(),
  serviceTier: id.nullable(),
  /** `usage.inference_geo` (`us` = US-only inference, priced 1.1x for Claude 4.6 and later). */
  inferenceGeo: id.nullable().optional(),
  /** Advisor iterations of this response; not part of `usage` (which is the executor's). */
  advisor: z.array(advisorUsage).max(MAX_ADVISOR_ITERATIONS).optional(),
  /** Reasoning effort the response ran at (`effort` on the line, 2.1.212+: low, medium, high, …). */
  effort: id.nullable().optional(),
  /** `message.diagnostics.cache_miss_reason`: why the prompt cache missed and how many input tokens it cost. */
  cacheMiss: z.strictObject({ reason: id, missedTokens: count.nullable() }).optional(),
  /** A server-side model fallback answered instead: the model that refused (the `fallback` content block). */
  fallbackFrom: id.optional(),
  /** Line uuids of the refused response this one replaces (they were removed from the file). */
  supersedesUuids: z.array(id).max(MAX_UUID_LIST).optional(),
  /** Deprecated host-side cost (see `cost`); absent from current collectors. */
  cost: cost.optional(),
  text,
  textChars: count,
  thinkingBlocks: count,
  toolUses: count,
});

export const toolCallPayload = z.strictObject({
  toolUseId: id,
  name: id,
  messageId: id.nullable(),
  /** The tool input after redaction and truncation; null in `metadata` mode. */
  input: z.unknown(),
  /** Hash of the original input: equal inputs have equal hashes (loop detection) without keeping the input. */
  inputHash: id,
  /** Shell command for Bash-like tools (redacted), the file path for file tools. */
  command: text,
  filePath: path.nullable(),
  subagentType: id.nullable(),
});

/** What one file-changing tool call did to its file (toolUseResult.structuredPatch, or a created file's content). */
const fileActivity = z.strictObject({
  /** The file (secrets masked, kept in every privacy mode like tool.call's filePath). */
  filePath: path,
  linesAdded: count,
  linesRemoved: count,
  /** A Write that created the file (`toolUseResult.type == "create"`): every line of it is added. */
  created: z.boolean(),
});

/** A pull request named by its URL (the identity: the same URL is the same pull request). */
const pullRequestRef = z.strictObject({
  url: path,
  number: count.nullable(),
  /** `owner/name`. */
  repository: path.nullable(),
});

export const toolResultPayload = z.strictObject({
  toolUseId: id,
  isError: z.boolean(),
  errorClass: z.enum(TOOL_ERROR_CLASSES).nullable(),
  output: text,
  outputChars: count,
  durationMs: nonNegative.nullable(),
  interrupted: z.boolean(),
  /** For Task/Agent results: the subagent that ran. */
  agentId: id.nullable(),
  sourceAssistantUuid: id.nullable(),
  /** Set when the call was denied (see the `denial` event of the same line). */
  denialKind: z.enum(DENIAL_KINDS).optional(),
  /** A successful Edit, MultiEdit or Write: the file and the lines it added and removed (docs/activity.md). */
  activity: fileActivity.optional(),
  /** A successful Bash result whose output shows the commit git just made (`[main 1a2b3c4] subject`). */
  commit: z.strictObject({ sha: id }).optional(),
  /** A successful Bash result that printed the pull request `gh pr create` opened. */
  pullRequest: pullRequestRef.optional(),
});

/** A tool call that was not allowed to run, emitted beside its `tool.result`. */
export const denialPayload = z.strictObject({
  toolUseId: id,
  /** From the tool result's structured output when it names the tool; null otherwise. */
  toolName: id.nullable(),
  kind: z.enum(DENIAL_KINDS),
  /** The denial text the model was shown (redacted; null in `metadata` mode). */
  reason: text,
});

/**
 * A model refused and the request was retried on another model (`system/model_refusal_fallback`). The
 * refused response's lines were removed from the file; `retractedUuids` names them so their usage, if it
 * was already counted, can be taken back.
 */
export const refusalPayload = z.strictObject({
  originalModel: id.nullable(),
  fallbackModel: id.nullable(),
  /** What caused the fallback (`refusal`). */
  trigger: id.nullable(),
  /** `retry`: the request was sent again to the fallback model. */
  direction: id.nullable(),
  /** `apiRefusalCategory`. */
  category: id.nullable(),
  /** Line uuids of the retracted response. */
  retractedUuids: z.array(id).max(MAX_UUID_LIST),
  requestId: id.nullable(),
  /** The refusal explanation or notice (redacted; null in `metadata` mode). */
  text,
});

export const apiErrorPayload = z.strictObject({
  /** true: the `<synthetic>` assistant line of a failed request; false: one `system/api_error` retry. */
  final: z.boolean(),
  status: z.number().int().nullable(),
  errorType: id.nullable(),
  message: text,
  retryAttempt: count.nullable(),
  maxRetries: count.nullable(),
  retryInMs: nonNegative.nullable(),
});

export const rateLimitPayload = z.strictObject({
  /** usage_limit: 1.x "Claude AI usage limit reached|<epoch>"; session/weekly/plan: 2.x "You've hit your … limit". */
  limitKind: z.enum(['usage_limit', 'session_limit', 'weekly_limit', 'plan_limit', 'rate_limit']),
  message: text,
  /** When the text carries an instant (1.x epoch); 2.x text has only a local time, kept in resetText. */
  resetAt: isoTs.nullable(),
  resetText: text,
});

export const compactionPayload = z.strictObject({
  trigger: z.enum(['auto', 'manual', 'unknown']),
  preTokens: count.nullable(),
  micro: z.boolean(),
  logicalParentUuid: id.nullable(),
  /** Context left after compaction and how long it took (`compactMetadata`, 2.1.1xx+). */
  postTokens: count.optional(),
  durationMs: nonNegative.optional(),
});

export const interruptPayload = z.strictObject({
  forToolUse: z.boolean(),
});

export const systemPayload = z.strictObject({
  subtype: id,
  level: id.nullable(),
  text,
  durationMs: nonNegative.nullable(),
  hookCount: count.nullable(),
  hookErrors: count.nullable(),
});

export const metaPayload = z.strictObject({
  /** The line's `type` (summary, file-history-snapshot, progress, attachment, user for isMeta text, …). */
  lineType: id,
  /** A finer kind: progress data type, attachment type, compact_summary, queue operation, … */
  subtype: id.nullable(),
  text,
  /** A `pr-link` line: the pull request Claude Code linked the session to. */
  pullRequest: pullRequestRef.optional(),
});

export const unknownPayload = z.strictObject({
  lineType: id,
  /** The line's top-level keys (at most 64), to see what a new format looks like without keeping its text. */
  keys: z.array(id).max(64),
  chars: count,
});

export const malformedPayload = z.strictObject({
  reason: z.enum(MALFORMED_REASONS),
  bytes: count,
  /** The start of the line after redaction; null in `metadata` mode. */
  preview: text,
});

export const heartbeatPayload = z.strictObject({
  agentVersion: id,
  startedAt: isoTs,
  filesWatched: count,
  bytesBehind: count,
});

/**
 * One reading of a quota window, taken from Claude Code's status-line input by `cctap statusline` (no
 * transcript line carries these figures). Recorded only when it differs from the previous reading of the
 * same window (the status line runs every few hundred milliseconds).
 */
export const quotaPayload = z.strictObject({
  window: z.enum(QUOTA_WINDOWS),
  /** Percent of the window used, 0-100 (`used_percentage`); can pass 100 when a limit is overrun. */
  usedPercentage: nonNegative,
  /** When the window starts over (`resets_at`, epoch seconds on the input); null for the context window. */
  resetsAt: isoTs.nullable(),
  /** Context window only: its size in tokens (`context_window_size`) and the tokens in use; null otherwise. */
  windowTokens: count.nullable(),
  usedTokens: count.nullable(),
  /** The session's model (`model.id`), when the input names it. */
  model: id.nullable(),
});
