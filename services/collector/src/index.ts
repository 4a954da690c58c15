/**
 * @cctap/collector: the host agent that tails Claude Code transcripts into JetStream without losing a line.
 *
 * - createCollector(options)   the service { name, start, stop, health, idle, runOnce, events } (a kit Service)
 * - resolveRoots(options)      which Claude config directories to watch
 * - collectShape, ...          the `cctap collect` configuration (kit config + the collector's fields)
 */
export {
  createCollector,
  type CollectorService,
  type CollectorHealth,
  type CollectorEvents,
} from './service/collector.js';
export type { CollectorOptions } from './service/options.js';
export type { CollectorProgress } from './progress/backfill-progress.js';
export { COLLECTOR_VERSION } from './heartbeat/heartbeat.js';
export { resolveRoots } from './discovery/roots.js';
export {
  CheckpointStore,
  CheckpointCorruptError,
  CHECKPOINT_FILE,
  type CheckpointEntry,
} from './checkpoint/checkpoint-store.js';
export { claimDestination, forgetDeliveries, DESTINATION_FILE, type Destination } from './checkpoint/destination.js';
export { HEAD_BYTES } from './tail/file-identity.js';
export { collectShape, parseCollectArgs, identityFrom, type CollectConfig } from './config.js';
