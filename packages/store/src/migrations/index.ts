export { MIGRATIONS } from './all.js';
export { DEFAULT_RETENTION, type Migration, type RetentionSettings } from './migration.js';
export {
  migrate,
  appliedMigrations,
  allStatements,
  retentionFromEnv,
  type MigrateOptions,
  type MigrateResult,
} from './migrate.js';
