/**
 * `@cctap/kit/internal`: what the workspace's tests reach for (the error a handler throws to dead-letter at once,
 * a stored message's shape, the storage split of the streams, JetStream's error codes, one consumer's lag). Not
 * part of the package's public surface.
 */
export { PermanentError } from './errors.js';
export type { StoredMessage } from './bus/bus.js';
export { STREAM_SHARE, streamBytesFor } from './provision/desired.js';
export { jetStreamCode, JS_ERR } from './nats/nats-errors.js';
export { consumerLag } from './nats/consumer-lag.js';
export { ManualClock } from './time/clock.js';
