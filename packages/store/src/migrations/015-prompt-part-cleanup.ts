import { PROMPT_CLEANUP } from './embedded-form.js';
import type { Migration } from './migration.js';

/**
 * Embedded stores created before embedded-form.ts: their MergeTree tables get its prompt cleanup of replaced
 * parts (the why is there). The engine reads it when it starts a table, so it holds from the next process that
 * opens the store. store_identity (one row, never merged) is left as it is.
 */
const TABLES = ['events', 'usage', 'derived', 'alerts', 'invalid_events', 'prices', 'price_syncs', 'schema_migrations'];

export const migration: Migration = {
  version: 15,
  name: 'prompt-part-cleanup',
  embeddedCatchUp: true,
  statements: () => TABLES.map((t) => `ALTER TABLE ${t} MODIFY SETTING ${PROMPT_CLEANUP}`),
};
