/** `cctap sql "<query>"`: an ad-hoc read-only question to the store. */
import { openLoopbackStore } from '../up/loopback-store.js';
import { UpQueryError } from '../up/query-client.js';
import { parseFlags } from '../flags/parse-flags.js';
import type { Command } from './registry.js';

const USAGE = `usage: cctap sql "<query>" [--format table|json] [--clickhouse URL | --data DIR]

Read-only (SELECT, SHOW, DESCRIBE). Tables: events, usage, invalid_events, derived, alerts, prices, price_syncs;
views: usage_responses (one row per API response, deduplicated and priced with the synced price book),
retractions (responses a model refusal took back), tool_spans, sessions, quota_readings (the 5-hour, 7-day and
context window readings 'cctap statusline' recorded).
While 'cctap up' runs on the same embedded store, the query is sent to it over loopback.`;

export const command: Command = {
  summary: 'run a read-only SQL query against the store',
  async run(argv) {
    const { values, positionals } = parseFlags({
      args: argv,
      allowPositionals: true,
      options: {
        clickhouse: { type: 'string' },
        data: { type: 'string' },
        format: { type: 'string', default: 'table' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help || positionals.length !== 1) {
      (values.help ? console.log : console.error)(USAGE);
      return values.help ? 0 : 2;
    }
    if (values.format !== 'table' && values.format !== 'json') {
      console.error(`--format must be table or json, got '${values.format}'`);
      return 2;
    }
    const [{ DEFAULT_DATA_DIR, openStore, storeOptionsFrom, StoreQueryError }, { runSql }, { renderSqlTable }] =
      await Promise.all([import('@cctap/store'), import('@cctap/reports'), import('../render/sql-table.js')]);
    const storeOpts = storeOptionsFrom(values);
    const print = (rows: Record<string, unknown>[]) =>
      console.log(values.format === 'json' ? JSON.stringify(rows, null, 2) : renderSqlTable(rows));
    // The embedded store admits one process: while `cctap up` holds it, ask `up` (the same read-only query).
    const store =
      (storeOpts.url === undefined ? await openLoopbackStore(storeOpts.dataDir ?? DEFAULT_DATA_DIR) : null) ??
      (await openStore(storeOpts));
    try {
      print(await runSql(store, positionals[0]!));
      return 0;
    } catch (err) {
      if (err instanceof StoreQueryError || err instanceof UpQueryError) {
        console.error(`cctap sql: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      await store.close();
    }
  },
};
