/** Terminal rendering of `cctap sql` rows. */
import { renderTable } from './render-table.js';

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
