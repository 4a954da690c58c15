/**
 * @cctap/transcript: Claude Code transcript lines -> normalized events. Pure: no file system, no network.
 *
 * - describeTranscriptPath(path)            session id, agent id and layout from a transcript path
 * - lineKeyOf(uuid, bytes)                  what a line is (its uuid, or its content): the key of its event ids
 * - TranscriptStream                        chunks of one file -> normalized, redacted events of its complete lines
 * - UsageLedger                             per-response max-total token accounting across lines and files
 *                                           (tokens only: cost is computed centrally, @cctap/prices)
 * - guardDecisionEvent(line, context)      a line of `cctap guard`'s decisions file -> its `guard` event
 */
export { lineKeyOf } from './normalize/line-key.js';
export { TranscriptStream } from './stream/transcript-stream.js';
export { describeTranscriptPath } from './path/describe-transcript-path.js';
export { UsageLedger } from './usage/usage-ledger.js';
export { guardDecisionEvent } from './guard/guard-decision-event.js';
