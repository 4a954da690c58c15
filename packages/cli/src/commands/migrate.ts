/** `cctap migrate`: apply the ClickHouse migrations (idempotent: a second run applies nothing). */
import { parseArgs } from 'node:util';
import type { Command } from './registry.js';

const USAGE = `usage: cctap migrate [--clickhouse URL | --data DIR]

Creates or updates the tables, views and rollups. Retention (applied when a table is created):
CCTAP_EVENTS_TTL_DAYS (default 400), CCTAP_USAGE_TTL_DAYS (1825), CCTAP_INVALID_TTL_DAYS (30); 0 keeps forever.`;

export const command: Command = {
  summary: 'create or update the ClickHouse tables (idempotent)',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { clickhouse: { type: 'string' }, data: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const { migrate, openStore, retentionFromEnv, storeOptionsFrom } = await import('@cctap/sink/reports');
    const store = await openStore(storeOptionsFrom(values));
    try {
      const r = await migrate(store, retentionFromEnv());
      for (const m of r.applied) console.log(`applied ${String(m.version).padStart(3, '0')} ${m.name}`);
      console.log(r.applied.length === 0 ? `up to date (${r.alreadyApplied} migrations) on ${store.location}` : `done on ${store.location}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
