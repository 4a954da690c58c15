/**
 * One insert per table per flush, retried with the same `insert_deduplication_token`: a hash of the
 * message ids in the flush and the table name. If an insert reached ClickHouse but the answer was lost, the
 * retry is dropped by the server instead of writing the rows twice (the tables set
 * non_replicated_deduplication_window). Redeliveries after a restart are absorbed by ReplacingMergeTree.
 *
 * Every table is partitioned by month, and ClickHouse refuses an insert block that touches more than
 * `max_partitions_per_insert_block` (100) partitions: one flush of a history with lines across more than 100
 * months (or a few lines with made-up dates) would be rejected whole, valid lines included. Such a flush is
 * split into inserts of at most PARTITIONS_PER_INSERT months each, in month order, each with its own token
 * derived from the flush's, so a retry of the flush repeats exactly the same inserts.
 */
import { createHash } from 'node:crypto';
import type { Store } from './open-store.js';

const PARTITIONS_PER_INSERT = 90;

export function dedupToken(table: string, messageIds: readonly string[]): string {
  const h = createHash('sha256').update(table);
  for (const id of messageIds) h.update('\u001f').update(id);
  return `${table}-${h.digest('hex').slice(0, 40)}`;
}

/** The month partition of a row: its `ts` (or `received_at`) as written by the row mappers, `YYYY-MM-…`. */
function monthOf(row: object): string {
  const r = row as { ts?: unknown; received_at?: unknown };
  const t = typeof r.ts === 'string' ? r.ts : typeof r.received_at === 'string' ? r.received_at : '';
  return t.slice(0, 7);
}

/** Rows grouped into chunks of at most `per` months, in month order; one chunk when they fit. */
export function chunkByMonth(rows: readonly object[], per = PARTITIONS_PER_INSERT): object[][] {
  const byMonth = new Map<string, object[]>();
  for (const row of rows) {
    const m = monthOf(row);
    const list = byMonth.get(m);
    if (list) list.push(row);
    else byMonth.set(m, [row]);
  }
  if (byMonth.size <= per) return [rows as object[]];
  const months = [...byMonth.keys()].sort();
  const chunks: object[][] = [];
  for (let i = 0; i < months.length; i += per) chunks.push(months.slice(i, i + per).flatMap((m) => byMonth.get(m)!));
  return chunks;
}

export async function insertRows(
  store: Store,
  table: string,
  rows: readonly object[],
  messageIds: readonly string[],
): Promise<void> {
  if (rows.length === 0) return;
  const token = dedupToken(table, messageIds);
  const chunks = chunkByMonth(rows);
  if (chunks.length === 1) {
    await store.insert(table, rows, token);
    return;
  }
  for (let i = 0; i < chunks.length; i++) await store.insert(table, chunks[i]!, `${token}-m${i}`);
}
