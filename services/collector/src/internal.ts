/**
 * `@cctap/collector/internal`: what the workspace's tests reach for (the options a test collector is built with,
 * the checkpoint file's name). Not part of the package's public surface.
 */
export type { CollectorOptions } from './service/options.js';
export { CHECKPOINT_FILE } from './checkpoint/checkpoint-store.js';
