/**
 * @cctap/events: the contract every component speaks: event and derived-event types, limits,
 * deterministic ids, stream topology and the wire codecs. What only the workspace's tests use (the zod schemas,
 * the checked decoders of the downstream streams) is in `@cctap/events/internal`; sample events are in
 * `@cctap/events/testing`; the Ajv validator of untrusted batches is `@cctap/events/ajv`.
 */
export { SCHEMA_VERSION } from './schema-version.js';
export {
  MAX_TEXT_CHARS,
  DEFAULT_STRING_CAP,
  MAX_EVENT_BYTES,
  MAX_BATCH_BYTES,
  MAX_ID_CHARS,
  MAX_PATH_CHARS,
  MAX_UUID_LIST,
  MAX_ADVISOR_ITERATIONS,
} from './limits.js';
export { truncationMarker, headOf, capText } from './truncation.js';
export {
  DENIAL_KINDS,
  PRIVACY_MODES,
  type EventType,
  type ToolErrorClass,
  type DenialKind,
  type MalformedReason,
  type PrivacyMode,
} from './event-types.js';
export { quotaPayload } from './payloads.js';
export { GUARD_DECISIONS } from './guard-payload.js';
export type { CctapEvent, EventOf, PayloadOf } from './event.js';
export type { DerivedKind, DerivedEvent, DerivedOf, DerivedPayloadOf } from './derived.js';
export type { Batch, BatchSource } from './batch.js';
export {
  fileId,
  lineEventId,
  heartbeatId,
  batchMsgId,
  derivedMsgId,
  stableUuid,
  heartbeatMsgId,
  quotaMsgId,
  guardMsgId,
  analyzerMsgId,
  alertMsgId,
  deadLetterMsgId,
  replayMsgId,
  streamPositionId,
} from './ids.js';
export {
  sanitizeToken,
  hostInboxPrefix,
  topology,
  STREAM_KEYS,
  CONSUMERS,
  BUCKETS,
  type StreamKey,
  type ConsumerKey,
  type BucketKey,
  type Topology,
} from './topology.js';
export {
  DecodeError,
  batchHead,
  writeBatch,
  encodeBatch,
  readBatch,
  forgetWritten,
  shareTrustedBatch,
  decodeTrustedBatch,
  BATCH_TAIL,
  type UncheckedBatch,
  encodeDerived,
  decodeTrustedDerived,
  encodeAlert,
  decodeTrustedAlert,
  encodeInvalid,
  decodeTrustedInvalid,
} from './codecs/index.js';
export type { Alert } from './alert.js';
export { INVALID_RAW_CHARS, type InvalidReason, type InvalidRecord } from './invalid.js';
export { responseKey, responseTokenTotal, replacesKept } from './response-rule.js';
