/** `cctap sql`: an ad-hoc read-only question against the store. */
import type { Store } from '../store/open-store.js';
import { renderTable } from './render-table.js';

export async function runSql(store: Store, sql: string): Promise<Record<string, unknown>[]> {
  // Read-only, enforced by the engine, so a typo can never drop a table; on the embedded engine this leaves
  // the session the sink inserts through untouched (open-store.ts).
  return store.query<Record<string, unknown>>(sql, undefined, { readOnly: true });
}

export function renderSqlTable(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '(no rows)';
  const headers = Object.keys(rows[0]!);
  return renderTable(
    headers,
    rows.map(
      (r) =>
        headers.map((h) => {
          const v = r[h];
          return typeof v === 'number' || v === null ? v : typeof v === 'string' ? v : JSON.stringify(v);
        }) as (string | number | null)[],
    ),
  );
}
