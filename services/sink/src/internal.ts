/**
 * `@cctap/sink/internal`: the mapping of contract events to rows, which the workspace's store tests and the sink
 * benchmark drive without a bus. Not part of the package's public surface.
 */
export { toEventRow } from './rows/event-row.js';
export { toUsageRows, type UsageRow } from './rows/usage-row.js';
export { batchRows } from './rows/batch-rows.js';
export type { DerivedRow } from './rows/derived-row.js';
export type { AlertRow } from './rows/alert-row.js';
export type { InvalidRow } from './rows/invalid-row.js';
export { decodeMessages } from './service/decode-messages.js';
