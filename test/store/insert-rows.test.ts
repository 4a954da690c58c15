/**
 * A flush whose lines span more than 100 months: ClickHouse refuses such an insert block whole
 * (max_partitions_per_insert_block), so insertRows splits it by month and every row lands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEventRow } from '@cctap/sink/internal';
import { assistant } from '@cctap/sink/testing';
import { insertRows, StoreQueryError } from '@cctap/store';
import { chunkByMonth } from '@cctap/store/internal';
import { openTempStore, type TempStore } from '@cctap/store/testing';

let store: TempStore;

beforeAll(async () => {
  store = await openTempStore('cctap-insert-rows-');
}, 60_000);
afterAll(() => store.close());

/** One event per month for `months` months from January 2026 (forward in time: the tables' TTL would drop old rows). */
function eventsAcrossMonths(months: number) {
  return Array.from({ length: months }, (_, i) => {
    const y = 2026 + Math.floor(i / 12);
    const m = String((i % 12) + 1).padStart(2, '0');
    return toEventRow(
      assistant({ offset: i * 100, ts: `${y}-${m}-15T12:00:00.000Z`, messageId: `msg_m${i}`, requestId: `req_m${i}` }),
    );
  });
}

describe('insertRows across many months', () => {
  it('splits a flush of more than 100 months into inserts ClickHouse accepts, losing no row', async () => {
    const rows = eventsAcrossMonths(150);
    // What ClickHouse does with the whole block: the failure this guards against.
    await expect(store.insert('events', rows, 'whole-block')).rejects.toBeInstanceOf(StoreQueryError);
    expect(chunkByMonth(rows).map((c) => c.length)).toEqual([90, 60]);
    await insertRows(store, 'events', rows, ['batch-150-months']);
    const [c] = await store.query<{ n: number }>('SELECT count() AS n FROM events FINAL');
    expect(Number(c!.n)).toBe(150);
    // A retry of the same flush repeats the same inserts with the same tokens: nothing is doubled.
    await insertRows(store, 'events', rows, ['batch-150-months']);
    const [again] = await store.query<{ n: number }>('SELECT count() AS n FROM events');
    expect(Number(again!.n)).toBe(150);
  }, 60_000);
});
