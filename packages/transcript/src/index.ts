/**
 * @cctap/transcript: Claude Code transcript lines -> normalized events. Pure: no file system, no network.
 *
 * Public surface (kept small on purpose):
 * - describeTranscriptPath(path)            session id, agent id and layout from a transcript path
 * - normalizeLine(bytes, ctx)               one line -> { events } | { failure }
 * - TranscriptStream                        chunks of one file -> events of its complete lines
 * - redact(text, mode)                      privacy modes and secret masking
 * - priceUsage(model, usage), PRICE_VERSION cost from the bundled price table
 * - UsageLedger                             per-response max-total accounting across lines and files
 */
export {};
