export { MIGRATIONS } from './all.js';
export { DEFAULT_RETENTION } from './migration.js';
export { migrate, allStatements, retentionFromEnv } from './migrate.js';
