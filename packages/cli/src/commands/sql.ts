/** `cctap sql "<query>"`: an ad-hoc read-only question to the store. */
import { parseArgs } from 'node:util';
import type { Command } from './registry.js';

const USAGE = `usage: cctap sql "<query>" [--format table|json] [--clickhouse URL | --data DIR]

Read-only (SELECT, SHOW, DESCRIBE). Tables: events, usage, invalid_events, derived, alerts;
views: usage_responses (one row per API response, deduplicated), tool_spans, sessions.`;

export const command: Command = {
  summary: 'run a read-only SQL query against the store',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { clickhouse: { type: 'string' }, data: { type: 'string' }, format: { type: 'string', default: 'table' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help || positionals.length !== 1) {
      (values.help ? console.log : console.error)(USAGE);
      return values.help ? 0 : 2;
    }
    if (values.format !== 'table' && values.format !== 'json') {
      console.error(`--format must be table or json, got '${values.format}'`);
      return 2;
    }
    const { openStore, renderSqlTable, runSql, storeOptionsFrom, StoreQueryError } = await import('@cctap/sink/reports');
    const store = await openStore(storeOptionsFrom(values));
    try {
      const rows = await runSql(store, positionals[0]!);
      console.log(values.format === 'json' ? JSON.stringify(rows, null, 2) : renderSqlTable(rows));
      return 0;
    } catch (err) {
      if (err instanceof StoreQueryError) {
        console.error(`cctap sql: ${err.message}`);
        return 1;
      }
      throw err;
    } finally {
      await store.close();
    }
  },
};
