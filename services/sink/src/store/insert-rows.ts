/**
 * One insert per table per flush, retried with the same `insert_deduplication_token`: a hash of the
 * message ids in the flush and the table name. If an insert reached ClickHouse but the answer was lost, the
 * retry is dropped by the server instead of writing the rows twice (the tables set
 * non_replicated_deduplication_window). Redeliveries after a restart are absorbed by ReplacingMergeTree.
 */
import { createHash } from 'node:crypto';
import type { Store } from './open-store.js';

export function dedupToken(table: string, messageIds: readonly string[]): string {
  const h = createHash('sha256').update(table);
  for (const id of messageIds) h.update('\u001f').update(id);
  return `${table}-${h.digest('hex').slice(0, 40)}`;
}

export async function insertRows(store: Store, table: string, rows: readonly object[], messageIds: readonly string[]): Promise<void> {
  if (rows.length === 0) return;
  await store.insert(table, rows, dedupToken(table, messageIds));
}
