/** `cctap sql "<query>"`: an ad-hoc read-only question to the store. */
import { openLoopbackStore } from '../up/loopback-store.js';
import { UpQueryError } from '../up/query-client.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { helpText, printHelp } from '../flags/command-help.js';
import { parseCommandLine } from '../flags/parse-command.js';
import { STORE_FLAGS, storeOptionsOf } from '../store-flags.js';
import type { Command } from './registry.js';
import { SUMMARIES } from './summaries.js';

export const spec = {
  name: 'sql',
  summary: SUMMARIES.sql,
  usage: `usage: cctap sql "<query>" [--format table|json] [--clickhouse URL | --data DIR]`,
  positionals: '"<query>"',
  notes: `Read-only (SELECT, SHOW, DESCRIBE). Tables: events, usage, invalid_events, derived, alerts, prices, price_syncs;
views: usage_responses (one row per API response, deduplicated and priced with the synced price book),
retractions (responses a model refusal took back), tool_spans, sessions, quota_readings (the 5-hour, 7-day and
context window readings 'cctap statusline' recorded).
While 'cctap up' runs on the same embedded store, the query is sent to it over loopback.`,
  flags: {
    format: { type: 'string', arg: 'table|json', default: 'table', description: 'how the rows are printed' },
    ...STORE_FLAGS,
  },
} as const satisfies CommandSpec;

export const command: Command = {
  spec,
  async run(argv) {
    const { values, given, positionals, help } = parseCommandLine(spec, argv);
    if (help) return printHelp(spec);
    if (positionals.length !== 1) {
      console.error(await helpText(spec));
      return EXIT.usage;
    }
    if (values.format !== 'table' && values.format !== 'json') {
      console.error(`--format must be table or json, got '${values.format}'`);
      return EXIT.usage;
    }
    // A refused question is told before anything is opened: the store (an engine start) or a running up.
    // Both check it again where it runs (read-only-sql.ts), which keeps loopback callers honest too.
    const { readOnlyStatement, StoreQueryError } = await import('@cctap/store/light');
    try {
      readOnlyStatement(positionals[0]!);
    } catch (err) {
      if (!(err instanceof StoreQueryError)) throw err;
      console.error(`cctap sql: ${err.message}`);
      return EXIT.failure;
    }
    const [{ DEFAULT_DATA_DIR, openStore }, { runSql }, { renderSqlTable }] = await Promise.all([
      import('@cctap/store/light'),
      import('@cctap/reports'),
      import('../render/sql-table.js'),
    ]);
    const storeOpts = await storeOptionsOf(given);
    const print = (rows: Record<string, unknown>[]) =>
      console.log(values.format === 'json' ? JSON.stringify(rows, null, 2) : renderSqlTable(rows));
    // The embedded store admits one process: while `cctap up` holds it, ask `up` (the same read-only query).
    const store =
      (storeOpts.url === undefined ? await openLoopbackStore(storeOpts.dataDir ?? DEFAULT_DATA_DIR) : null) ??
      (await openStore(storeOpts));
    try {
      print(await runSql(store, positionals[0]!));
      return EXIT.ok;
    } catch (err) {
      if (err instanceof StoreQueryError || err instanceof UpQueryError) {
        console.error(`cctap sql: ${err.message}`);
        return EXIT.failure;
      }
      throw err;
    } finally {
      await store.close();
    }
  },
};
