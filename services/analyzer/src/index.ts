/**
 * @cctap/analyzer: live session state and derived events (DESIGN section 1).
 *
 * - createAnalyzer              the service: consumes CCTAP_EVENTS, publishes CCTAP_DERIVED, keeps state in a store
 * - createPartitionedAnalyzer   one of several replicas: the analyzer on the events partitions it holds a lease on
 * - MemoryStateStore, NO_STATE_STORE, openKvStateStore   where the service keeps its state (in process, nowhere,
 *   or a NATS KV bucket)
 *
 * The pure core (AnalyzerEngine: events in, derived events out, injectable clock, snapshots) and what else the
 * workspace's tests and benchmarks drive directly is in `@cctap/analyzer/internal`.
 */
export { createAnalyzer, type AnalyzerService } from './service/analyzer-service.js';
export { createPartitionedAnalyzer } from './service/partitioned-analyzer.js';
export { MemoryStateStore, NO_STATE_STORE, openKvStateStore } from './service/state-store.js';
