/**
 * @cctap/sink: the service that consumes the streams into the store (@cctap/store). The mapping of contract events
 * to rows is internal to it; the workspace's tests and benchmarks reach it through `@cctap/sink/internal`. Its
 * options alone (the `cctap sink` declaration) are `@cctap/sink/shape`.
 */
export { createSink, SINK_CONSUMERS } from './service/create-sink.js';
export { jetStreamPending } from './service/jetstream-pending.js';
