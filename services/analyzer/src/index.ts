/**
 * @cctap/analyzer: live session state and derived events (DESIGN section 1).
 *
 * - AnalyzerEngine   the pure core: events in, derived events out, injectable clock, snapshots
 * - createAnalyzer   the service: consumes CCTAP_EVENTS, publishes CCTAP_DERIVED, keeps state in a store
 * - createPartitionedAnalyzer   one of several replicas: the analyzer on the events partitions it holds a lease on
 */
export { AnalyzerEngine, type EngineObserver, type SnapshotDelta, type EngineStats } from './core/engine.js';
export { ManualClock, systemClock, type Clock } from './core/clock.js';
export { resolveConfig, analyzerConfigSchema, type AnalyzerConfig, type AnalyzerConfigInput } from './config.js';
export { createAnalyzer, type AnalyzerOptions, type AnalyzerService } from './service/analyzer-service.js';
export {
  createPartitionedAnalyzer,
  partitionConsumerName,
  partitionLeaseBucket,
  type PartitionedAnalyzer,
  type PartitionedAnalyzerOptions,
} from './service/partitioned-analyzer.js';
export {
  KvStateStore,
  MemoryStateStore,
  openKvStateStore,
  type AnalyzerStateStore,
  type StoredState,
} from './service/state-store.js';
