export {
  RetryableError,
  PermanentError,
  ConfigError,
  AuthError,
  ConnectError,
  PortInUseError,
  GaveUpWaitingError,
  StoppedWhileWaitingError,
  backoffMs,
} from './errors.js';
export {
  waitUntilReachable,
  oneShotWait,
  retryDelayMs,
  WAIT_SECONDS_ENV,
  DEFAULT_ONE_SHOT_WAIT_SECONDS,
  type WaitPolicy,
  type ReachOptions,
  type OneShotWaitOptions,
} from './runtime/wait-until-reachable.js';
export {
  createLogger,
  silentLogger,
  LOG_LEVELS,
  type Logger,
  type LogLevel,
  type LogFormat,
  type LogFields,
} from './log/logger.js';
export { createMetrics, type Metrics } from './metrics/registry.js';
export { connectNats, serverVersion, type NatsConnectOptions } from './nats/connect.js';
export {
  DLQ_HEADERS,
  type Bus,
  type BusMessage,
  type BatchHandler,
  type MessageHandler,
  type ConsumeOptions,
  type PubAck,
  type PublishOptions,
  type StoredMessage,
  type Subscription,
  type ConsumerKey,
} from './bus/bus.js';
export { JetStreamBus, createJetStreamBus, type JetStreamBusOptions } from './bus/jetstream-bus.js';
export { provision, type ProvisionReport, type ProvisionEntry, type ProvisionAction } from './provision/provision.js';
export { formatBytes } from './provision/fit-storage.js';
export {
  DEFAULT_CONSUMER,
  DEFAULT_LIMITS,
  STREAM_SHARE,
  streamBytesFor,
  type ProvisionOptions,
  type StreamLimits,
} from './provision/desired.js';
export {
  InProcessBus,
  createInProcessBus,
  type InProcessBusOptions,
  type InProcessDeadLetter,
} from './bus/in-process-bus.js';
export { startDeadLetterForwarder, type ForwarderOptions } from './dlq/forwarder.js';
export {
  loadConfig,
  redactConfig,
  baseConfigShape,
  natsConfigShape,
  UnknownOptionError,
  type LoadConfigOptions,
} from './config/load-config.js';
export {
  configHelp,
  flagsOf,
  formatOption,
  HELP_OPTION_LINE,
  HelpRequest,
  optionsOf,
  wrap,
  type OptionHelp,
} from './config/config-help.js';
export { envNamesOf } from './config/env-names.js';
export {
  isDeniedOrUnanswered,
  isJetStreamNotFound,
  isMessageRefused,
  jetStreamCode,
  JS_ERR,
} from './nats/nats-errors.js';
export { parseArgs, type ParsedArgs } from './config/parse-args.js';
export { startProbeServer, type ProbeServer, type Health } from './metrics/probe-server.js';
export { runServices, type RunnerOptions, type Running } from './runtime/runner.js';
export type { Service } from './runtime/service.js';
export { natsService } from './nats/nats-service.js';
export { natsOptionsFromConfig, type NatsConfigFields } from './nats/nats-from-config.js';
export { privateDir } from './fs/private-dir.js';
export { LruSet } from './collections/lru-set.js';
export { BoundedMap } from './collections/bounded-map.js';
export { systemClock, ManualClock, type Clock } from './time/clock.js';
export { sleep } from './time/sleep.js';
export { backoffDelay, type BackoffPolicy } from './time/backoff.js';
export { SerialQueue } from './concurrency/serial-queue.js';
export { LabelCap, OTHER_LABEL } from './metrics/label-cap.js';
export { kvReadAll, type KvLiveEntry } from './nats/kv-read-all.js';
export { consumerLag, consumerLagReader, type ConsumerLag, type ConsumerLagReader } from './nats/consumer-lag.js';
