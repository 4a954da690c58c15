/**
 * @cctap/kit: the runtime every service and the command share (errors, waiting for servers, logs, metrics and
 * probes, config, NATS and the bus, provisioning, clocks and small collections). What only the workspace's tests
 * reach for is in `@cctap/kit/internal`; the error classes a failure is told by, the `--help` and unknown option
 * errors and the help's option layout are in `@cctap/kit/light`, which loads none of the rest.
 */
export { RetryableError, ConfigError } from './errors.js';
export { createLogger, silentLogger, type Logger, type LogLevel, type LogFormat } from './log/logger.js';
export { createMetrics, type Metrics } from './metrics/registry.js';
export { connectNats } from './nats/connect.js';
export {
  DLQ_HEADERS,
  type Bus,
  type BusMessage,
  type ConsumeOptions,
  type Subscription,
  type ConsumerKey,
} from './bus/bus.js';
export { JetStreamBus, createJetStreamBus } from './bus/jetstream-bus.js';
export { provision } from './provision/provision.js';
export { formatBytes } from './provision/fit-storage.js';
export { createInProcessBus, type InProcessDeadLetter } from './bus/in-process-bus.js';
export { startDeadLetterForwarder } from './dlq/forwarder.js';
export { loadConfig, redactConfig } from './config/load-config.js';
export { baseConfigShape, natsConfigShape } from './config/common-shape.js';
export { optionsOf } from './config/config-help.js';
export { isDeniedOrUnanswered, isJetStreamNotFound, isMessageRefused, isRevisionMismatch } from './nats/nats-errors.js';
export { startProbeServer, type ProbeServer } from './metrics/probe-server.js';
export { runServices } from './runtime/runner.js';
export type { Service } from './runtime/service.js';
export { StartGate } from './runtime/start-gate.js';
export { natsService } from './nats/nats-service.js';
export { natsOptionsFromConfig, type NatsConfigFields } from './nats/nats-from-config.js';
export { privateDir } from './fs/private-dir.js';
export { LruSet } from './collections/lru-set.js';
export { BoundedMap } from './collections/bounded-map.js';
export { systemClock, type Clock } from './time/clock.js';
export { sleep } from './time/sleep.js';
export { backoffDelay, type BackoffPolicy } from './time/backoff.js';
export { SerialQueue } from './concurrency/serial-queue.js';
export { LabelCap } from './metrics/label-cap.js';
export { kvReadAll } from './nats/kv-read-all.js';
export { KvLeases } from './nats/kv-lease.js';
export { consumerLagReader } from './nats/consumer-lag.js';
