/** Which price book a report's costs come from: the one of the newest completed sync (migration 006). */
import type { Store } from '@cctap/store';

/** The book version the usage_responses view prices with now; null before the first sync (all unpriced). */
export async function storedBookVersion(store: Store): Promise<string | null> {
  const [row] = await store.query<{ v: string; n: string | number }>(
    'SELECT argMax(book_version, generation) AS v, count() AS n FROM price_syncs',
    undefined,
    { reusable: true },
  );
  return row && Number(row.n) > 0 ? row.v : null;
}

/** The line under a report's table. */
export function priceBookLine(version: string | null): string {
  return version === null
    ? 'prices: no price book synced into this store yet (start `cctap up` or `cctap sink`, or run `cctap migrate`)'
    : `prices: book ${version}`;
}
