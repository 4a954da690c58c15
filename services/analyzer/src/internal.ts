/**
 * `@cctap/analyzer/internal`: what the workspace's tests and benchmarks drive directly (the pure engine and its
 * configuration, the KV state store on a bucket the test made, the partitioned replicas' consumer and lease
 * names). Not part of the package's public surface.
 */
export { AnalyzerEngine } from './core/engine.js';
export { resolveConfig, type AnalyzerConfigInput } from './config.js';
export { KvStateStore } from './service/state-store.js';
export { partitionConsumerName, partitionLeaseBucket } from './service/partitioned-analyzer.js';
