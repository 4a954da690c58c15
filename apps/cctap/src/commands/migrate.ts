/** `cctap migrate`: apply the ClickHouse migrations (idempotent: a second run applies nothing). */
import { PRICES_FLAG, priceFileOf } from '../price-file.js';
import { ENV } from '../environment.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { printHelp } from '../flags/command-help.js';
import { parseCommandLine } from '../flags/parse-command.js';
import { STORE_FLAGS, storeOptionsOf } from '../store-flags.js';
import type { Command } from './registry.js';
import { SUMMARIES } from './summaries.js';

export const spec = {
  name: 'migrate',
  summary: SUMMARIES.migrate,
  usage: `usage: cctap migrate [--clickhouse URL [--cluster NAME] | --data DIR] [--prices FILE]

Creates or updates the tables, views and rollups, then writes the price book into the store (every stored
response is priced with it from then on).`,
  notes: `Retention, counted from when a row was stored (applied when a table is created): CCTAP_EVENTS_TTL_DAYS
(default 400), CCTAP_INVALID_TTL_DAYS (30); 0 keeps forever. Token and cost history (usage) is kept forever.`,
  flags: {
    ...STORE_FLAGS,
    prices: PRICES_FLAG,
    cluster: {
      type: 'string',
      arg: 'NAME',
      env: 'CCTAP_CLUSTER',
      description: 'a replicated cluster: Replicated tables, DDL ON CLUSTER NAME (docs/deploy.md)',
    },
  },
} as const satisfies CommandSpec;

export const command: Command = {
  spec,
  async run(argv) {
    const { given, help } = parseCommandLine(spec, argv);
    if (help) return printHelp(spec);
    // Loaded after the command line is read: the store and the price book's reader (zod, yaml) are not needed
    // for --help or a bad flag.
    const [{ migrate, openStore, retentionFromEnv, syncPrices }, { bookOrComplain }] = await Promise.all([
      import('@cctap/store'),
      import('../price-book-of.js'),
    ]);
    const book = bookOrComplain('migrate', priceFileOf(given.prices));
    if (!book) return EXIT.usage;
    const storeOpts = await storeOptionsOf(given);
    if (given.cluster && storeOpts.url === undefined) {
      console.error('cctap migrate: --cluster needs a ClickHouse server (--clickhouse URL)');
      return EXIT.usage;
    }
    const store = await openStore(storeOpts);
    try {
      const r = await migrate(store, retentionFromEnv(ENV), undefined, { cluster: given.cluster });
      for (const m of r.applied)
        console.log(
          `applied ${String(m.version).padStart(3, '0')} ${m.name}${m.skipped ? ' (nothing to do on this store)' : ''}`,
        );
      console.log(
        r.applied.length === 0
          ? `up to date (${r.alreadyApplied} migrations) on ${store.location}`
          : `done on ${store.location}`,
      );
      const p = await syncPrices(store, book);
      console.log(
        `prices: book ${p.bookVersion}, ${p.models.length - p.unpriced.length} of ${p.models.length} stored models priced${p.unpriced.length ? ` (unpriced: ${p.unpriced.join(', ')})` : ''}`,
      );
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
};
