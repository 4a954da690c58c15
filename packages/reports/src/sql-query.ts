/** `cctap sql`: an ad-hoc read-only question against the store. */
import type { Store } from '@cctap/store';

export async function runSql(store: Store, sql: string): Promise<Record<string, unknown>[]> {
  // Read-only, enforced by the engine, so a typo can never drop a table; on the embedded engine this leaves
  // the session the sink inserts through untouched (open-store.ts).
  return store.query<Record<string, unknown>>(sql, undefined, { readOnly: true });
}
