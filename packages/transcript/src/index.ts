/**
 * @cctap/transcript: Claude Code transcript lines -> normalized events. Pure: no file system, no network.
 *
 * - describeTranscriptPath(path)            session id, agent id and layout from a transcript path
 * - normalizeLine(bytes, ctx)               one line -> { events } | { failure }; malformedEvent for failures
 * - lineKeyOf(uuid, bytes)                  what a line is (its uuid, or its content): the key of its event ids
 * - TranscriptStream                        chunks of one file -> events of its complete lines
 * - redact(text, mode)                      privacy modes and secret masking
 * - UsageLedger                             per-response max-total token accounting across lines and files
 *                                           (tokens only: cost is computed centrally, @cctap/prices)
 */
export type { FileContext, LineContext, NormalizeResult } from './context.js';
export { normalizeLine } from './normalize/normalize-line.js';
export { malformedEvent } from './normalize/malformed-event.js';
export { lineKeyOf } from './normalize/line-key.js';
export { TranscriptStream, type NormalizedLine, type TranscriptStreamOptions } from './stream/transcript-stream.js';
export { describeTranscriptPath, type TranscriptPathInfo } from './path/describe-transcript-path.js';
export { redact } from './privacy/redact.js';
export type { TokenUsage } from './usage/token-usage.js';
export { UsageLedger, type UsageResponse, type UsageTotals } from './usage/usage-ledger.js';
