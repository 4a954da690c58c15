/**
 * `@cctap/store/internal`: what the workspace's tests reach for (the migrations and their statements, the cluster
 * transform, how inserts are split and deduplicated, the default retention). Not part of the package's public
 * surface.
 */
export { MIGRATIONS, DEFAULT_RETENTION, allStatements } from './migrations/index.js';
export { onCluster, REPLICA_PATH } from './cluster/on-cluster.js';
export { chunkByMonth, dedupToken } from './store/insert-rows.js';
