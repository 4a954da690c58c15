/**
 * @cctap/sink: the service that consumes the streams into the store (@cctap/store), and the mapping of contract
 * events to rows.
 */
export { toEventRow, type EventRow } from './rows/event-row.js';
export { toUsageRows, tokenTotal, type UsageRow } from './rows/usage-row.js';
export { batchRows, type BatchRows } from './rows/batch-rows.js';
export { toDerivedRow, type DerivedRow } from './rows/derived-row.js';
export { toAlertRow, type AlertRow } from './rows/alert-row.js';
export { toInvalidRow, type InvalidRow } from './rows/invalid-row.js';
export { decodeMessages, type DecodedFlush, type SinkTable } from './service/decode-messages.js';
export {
  createSink,
  SINK_CONSUMERS,
  type SinkOptions,
  type SinkService,
  type SinkHealthDetails,
  type SinkConsumer,
} from './service/create-sink.js';
export { sinkConfigShape } from './service/sink-config.js';
export { jetStreamPending } from './service/jetstream-pending.js';
