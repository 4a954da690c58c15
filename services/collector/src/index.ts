/**
 * @cctap/collector: the host agent that tails Claude Code transcripts into JetStream without losing a line.
 *
 * - createCollector(options)   the service { name, start, stop, health, idle, runOnce, events } (a kit Service)
 * - resolveRoots(options)      which Claude config directories to watch
 * - parseCollectArgs, ...      the `cctap collect` configuration (its shape alone: `@cctap/collector/shape`)
 * - Destination                which destination the checkpoints were recorded for
 *
 * Everything else (the tailer and its pieces, the checkpoint store) is internal to the service; what the workspace's
 * tests reach for is in `@cctap/collector/internal`.
 */
export { createCollector, type CollectorService } from './service/collector.js';
export type { CollectorProgress } from './progress/backfill-progress.js';
export { COLLECTOR_VERSION } from './heartbeat/heartbeat.js';
export { resolveRoots } from './discovery/roots.js';
export type { Destination } from './checkpoint/destination.js';
export { parseCollectArgs, identityFrom } from './config.js';
