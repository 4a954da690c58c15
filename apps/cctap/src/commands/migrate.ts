/** `cctap migrate`: apply the ClickHouse migrations (idempotent: a second run applies nothing). */
import { bookOrComplain } from '../price-book-of.js';
import { PRICES_FLAG_USAGE, priceFileOf } from '../price-file.js';
import { parseFlags } from '../flags/parse-flags.js';
import type { Command } from './registry.js';

const USAGE = `usage: cctap migrate [--clickhouse URL | --data DIR] [--prices FILE]

${PRICES_FLAG_USAGE}

Creates or updates the tables, views and rollups, then writes the price book into the store (every stored
response is priced with it from then on). Retention, counted from when a row was stored (applied when a
table is created): CCTAP_EVENTS_TTL_DAYS (default 400), CCTAP_INVALID_TTL_DAYS (30); 0 keeps forever. Token
and cost history (usage) is kept forever.`;

export const command: Command = {
  summary: 'create or update the ClickHouse tables (idempotent)',
  async run(argv) {
    const { values } = parseFlags({
      args: argv,
      options: {
        clickhouse: { type: 'string' },
        data: { type: 'string' },
        prices: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const { migrate, openStore, retentionFromEnv, storeOptionsFrom, syncPrices } = await import('@cctap/store');
    const book = bookOrComplain('migrate', priceFileOf(values.prices));
    if (!book) return 2;
    const store = await openStore(storeOptionsFrom(values));
    try {
      const r = await migrate(store, retentionFromEnv());
      for (const m of r.applied) console.log(`applied ${String(m.version).padStart(3, '0')} ${m.name}`);
      console.log(
        r.applied.length === 0
          ? `up to date (${r.alreadyApplied} migrations) on ${store.location}`
          : `done on ${store.location}`,
      );
      const p = await syncPrices(store, book);
      console.log(
        `prices: book ${p.bookVersion}, ${p.models.length - p.unpriced.length} of ${p.models.length} stored models priced${p.unpriced.length ? ` (unpriced: ${p.unpriced.join(', ')})` : ''}`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};
