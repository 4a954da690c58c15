/**
 * The schema on the real embedded engine: migrations are idempotent, the max rule holds in SQL, and no
 * duplicate, retry or background merge ever changes a reported number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@cctap/store';
import { MIGRATIONS } from '@cctap/store/internal';
import { periodReport } from '@cctap/reports';
import { priceResponse, shippedBook } from '@cctap/prices';
import { syncPrices } from '@cctap/store';
import { toEventRow, toUsageRows, type UsageRow } from '@cctap/sink/internal';
import { assistant, type AssistantSample } from '@cctap/sink/testing';
import { runSql } from '@cctap/reports';
import { StoreQueryError } from '@cctap/store';
import { insertRows } from '@cctap/store';
import { openTempStore, type TempStore } from '@cctap/store/testing';

let store: TempStore;

beforeAll(async () => {
  store = await openTempStore('cctap-sink-store-', { migrated: false });
});
afterAll(() => store.close());

const usage = (s: AssistantSample): UsageRow => toUsageRows(assistant(s))[0]!;
const book = shippedBook();
/** What the book's own TypeScript pricing says one sample response costs. */
const costOf = (s: AssistantSample): number => {
  const p = assistant(s).payload;
  return priceResponse(book, {
    model: p.model,
    ts: s.ts,
    usage: p.usage,
    speed: p.speed,
    inferenceGeo: p.inferenceGeo ?? null,
  }).usd!;
};

async function daily() {
  await syncPrices(store, book);
  const r = await periodReport(store, 'daily', { tz: 'UTC' });
  return r.rows.map((d) => ({
    date: d.date,
    in: d.inputTokens,
    out: d.outputTokens,
    total: d.totalTokens,
    cost: d.totalCost,
  }));
}

describe('store', () => {
  it('applies the migrations once; a second run is a no-op', async () => {
    const first = await migrate(store);
    expect(first.applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = await store.query<{ name: string }>(
      'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'events',
        'usage',
        'invalid_events',
        'derived',
        'alerts',
        'usage_responses',
        'tool_spans',
        'sessions',
        'session_analysis',
        'schema_migrations',
        'prices',
        'price_syncs',
        'retractions',
      ]),
    );
    const second = await migrate(store);
    expect(second).toEqual({ applied: [], alreadyApplied: MIGRATIONS.length });
    expect(await store.query('SELECT version FROM schema_migrations')).toHaveLength(MIGRATIONS.length);
  });

  it('keeps the line with the largest total per (message id, request id), across files and sessions', async () => {
    await insertRows(
      store,
      'usage',
      [
        // One response streamed over three lines: output grows 1 -> 1 -> 300 (2.1.3x placeholder pattern).
        usage({
          offset: 0,
          ts: '2026-01-05T10:00:00.000Z',
          messageId: 'msg_A',
          requestId: 'req_A',
          output: 1,
          cacheRead: 500,
        }),
        usage({
          offset: 100,
          ts: '2026-01-05T10:00:01.000Z',
          messageId: 'msg_A',
          requestId: 'req_A',
          output: 1,
          cacheRead: 500,
        }),
        usage({
          offset: 200,
          ts: '2026-01-05T10:00:02.000Z',
          messageId: 'msg_A',
          requestId: 'req_A',
          output: 300,
          cacheRead: 500,
        }),
        // A resume copy of the first line in another file and session: same response, counted once.
        usage({
          offset: 0,
          file: 'file-2',
          sessionId: 'session-2',
          ts: '2026-01-05T10:00:00.000Z',
          messageId: 'msg_A',
          requestId: 'req_A',
          output: 1,
          cacheRead: 500,
        }),
        // Gateway responses without a request id: the same message id in two sessions are two calls.
        usage({
          offset: 300,
          ts: '2026-01-05T11:00:00.000Z',
          messageId: 'msg_G',
          requestId: null,
          sessionId: 's1',
          input: 7,
          output: 0,
        }),
        usage({
          offset: 400,
          ts: '2026-01-05T11:00:00.000Z',
          messageId: 'msg_G',
          requestId: null,
          sessionId: 's2',
          input: 7,
          output: 0,
        }),
      ],
      ['m1'],
    );
    const cost =
      costOf({
        offset: 200,
        ts: '2026-01-05T10:00:02.000Z',
        messageId: 'msg_A',
        requestId: 'req_A',
        output: 300,
        cacheRead: 500,
      }) +
      2 *
        costOf({
          offset: 300,
          ts: '2026-01-05T11:00:00.000Z',
          messageId: 'msg_G',
          requestId: null,
          input: 7,
          output: 0,
        });
    expect(cost).toBeGreaterThan(0);
    const [day] = await daily();
    expect({ ...day, cost: undefined }).toEqual({
      date: '2026-01-05',
      in: 10 + 7 + 7,
      out: 300,
      total: 10 + 300 + 500 + 14,
      cost: undefined,
    });
    expect(day!.cost).toBeCloseTo(cost, 12);
  });

  it('drops a sidechain replay of a main-chain message id (/btw)', async () => {
    await insertRows(
      store,
      'usage',
      [
        usage({
          offset: 500,
          ts: '2026-01-06T10:00:00.000Z',
          messageId: 'msg_B',
          requestId: 'req_B',
          input: 100,
          output: 0,
        }),
        usage({
          offset: 600,
          ts: '2026-01-06T10:05:00.000Z',
          messageId: 'msg_B',
          requestId: 'req_B2',
          sidechain: true,
          input: 100,
          output: 0,
          cacheRead: 900,
        }),
      ],
      ['m2'],
    );
    expect((await daily()).find((d) => d.date === '2026-01-06')).toMatchObject({ in: 100, total: 100 });
  });

  it('is unchanged by retries with the same token, redeliveries and background merges', async () => {
    const before = await daily();
    const rows = [
      usage({
        offset: 200,
        ts: '2026-01-05T10:00:02.000Z',
        messageId: 'msg_A',
        requestId: 'req_A',
        output: 300,
        cacheRead: 500,
      }),
      usage({
        offset: 0,
        ts: '2026-01-05T10:00:00.000Z',
        messageId: 'msg_A',
        requestId: 'req_A',
        output: 1,
        cacheRead: 500,
      }),
    ];
    await insertRows(store, 'usage', rows, ['m3']);
    await insertRows(store, 'usage', rows, ['m3']); // retry: dropped by insert_deduplication_token
    await insertRows(store, 'usage', rows, ['m4']); // redelivery under another flush: absorbed by the dedup
    expect(await daily()).toEqual(before);
    await store.command('OPTIMIZE TABLE usage FINAL');
    expect(await daily()).toEqual(before);
    // After the merge only the winning line of msg_A is left in its partition.
    const left = await store.query<{ n: number }>("SELECT count() AS n FROM usage WHERE message_id = 'msg_A'");
    expect(Number(left[0]!.n)).toBe(1);
  });

  it('drops a retried insert that carries the same deduplication token', async () => {
    const rows = [usage({ offset: 900, ts: '2026-01-09T10:00:00.000Z', messageId: 'msg_R', requestId: 'req_R' })];
    await insertRows(store, 'usage', rows, ['m9']);
    await insertRows(store, 'usage', rows, ['m9']);
    const raw = await store.query<{ n: number }>("SELECT count() AS n FROM usage WHERE message_id = 'msg_R'");
    expect(Number(raw[0]!.n)).toBe(1);
    await insertRows(store, 'usage', rows, ['m10']);
    const again = await store.query<{ n: number }>("SELECT count() AS n FROM usage WHERE message_id = 'msg_R'");
    expect(Number(again[0]!.n)).toBeGreaterThanOrEqual(1);
  });

  it('on equal totals the earliest line wins, before and after a merge', async () => {
    await insertRows(
      store,
      'usage',
      [
        usage({
          offset: 700,
          ts: '2026-01-08T00:00:01.000Z',
          messageId: 'msg_T',
          requestId: 'req_T',
          input: 50,
          output: 0,
        }),
        usage({
          offset: 800,
          ts: '2026-01-07T23:59:59.000Z',
          messageId: 'msg_T',
          requestId: 'req_T',
          input: 50,
          output: 0,
        }),
      ],
      ['m5'],
    );
    const day = async () =>
      (await daily()).filter((d) => d.date === '2026-01-07' || d.date === '2026-01-08').map((d) => d.date);
    expect(await day()).toEqual(['2026-01-07']);
    await store.command('OPTIMIZE TABLE usage FINAL');
    expect(await day()).toEqual(['2026-01-07']);
    // Within one second too: the tie-break is by millisecond.
    await insertRows(
      store,
      'usage',
      [
        usage({
          offset: 1000,
          ts: '2026-01-10T08:00:00.900Z',
          messageId: 'msg_M',
          requestId: 'req_M',
          input: 50,
          output: 0,
        }),
        usage({
          offset: 1100,
          ts: '2026-01-10T08:00:00.100Z',
          messageId: 'msg_M',
          requestId: 'req_M',
          input: 50,
          output: 0,
        }),
      ],
      ['m6'],
    );
    const kept = await store.query<{ ts: string }>(
      "SELECT toString(ts) AS ts FROM usage_responses WHERE message_id = 'msg_M'",
    );
    expect(kept).toEqual([{ ts: '2026-01-10 08:00:00.100' }]);
  });

  it('stores each event once however often it is inserted', async () => {
    const e = assistant({ offset: 1, ts: '2026-01-05T10:00:00.000Z', messageId: 'x', requestId: 'y' });
    await insertRows(store, 'events', [toEventRow(e)], ['e1']);
    await insertRows(store, 'events', [toEventRow(e)], ['e2']);
    const n = await store.query<{ n: number; u: number }>('SELECT count() AS n, uniqExact(id) AS u FROM events FINAL');
    expect(n[0]).toEqual({ n: 1, u: 1 });
  });
});

describe('per-query settings on the embedded engine', () => {
  // chdb keeps a `SET` for the rest of its session: a readonly=2 question used to make every later insert
  // fail (the sink then dead-lettered the messages), and a deduplication token would have stuck to the
  // next insert and dropped its rows.
  it('a read-only question leaves inserts working, and a token does not stick to the next insert', async () => {
    await migrate(store);
    expect(await runSql(store, 'SELECT count() AS n FROM usage')).toHaveLength(1);
    await expect(runSql(store, 'DROP TABLE usage')).rejects.toBeInstanceOf(StoreQueryError);
    await expect(runSql(store, 'SELECT 1; DROP TABLE usage')).rejects.toBeInstanceOf(StoreQueryError);
    await expect(runSql(store, "INSERT INTO usage (message_id) VALUES ('x')")).rejects.toBeInstanceOf(StoreQueryError);

    const count = async (id: string) =>
      Number(
        (await store.query<{ n: number }>('SELECT count() AS n FROM usage WHERE message_id = {id: String}', { id }))[0]!
          .n,
      );
    const a = [usage({ offset: 2000, ts: '2026-02-01T10:00:00.000Z', messageId: 'msg_S1', requestId: 'req_S1' })];
    await store.insert('usage', a, 'sticky-token');
    await store.insert('usage', a, 'sticky-token'); // a retry: dropped by the token
    expect(await count('msg_S1')).toBe(1);
    const b = [usage({ offset: 2100, ts: '2026-02-01T11:00:00.000Z', messageId: 'msg_S2', requestId: 'req_S2' })];
    await store.insert('usage', b); // no token: must not inherit the previous one
    expect(await count('msg_S2')).toBe(1);
    expect(await runSql(store, "SELECT getSetting('readonly') AS r")).toEqual([{ r: 1 }]);
    expect(
      await store.query("SELECT getSetting('readonly') AS r, getSetting('insert_deduplication_token') AS t"),
    ).toEqual([{ r: 0, t: '' }]);
  });
});

describe('reused reads on the embedded engine (read-cache.ts)', () => {
  it('a reusable read is answered again from its last run until an insert or a statement, then sees it', async () => {
    await migrate(store);
    // rand() tells a run of the engine from an answer given again (a report's text never has it).
    const ask = async () =>
      (
        await store.query<{ n: number; r: number }>(
          'SELECT count() AS n, rand() AS r FROM usage WHERE message_id = {id: String}',
          { id: 'msg_R1' },
          { reusable: true },
        )
      )[0]!;
    const first = await ask();
    expect(await ask()).toEqual(first);
    await store.insert('usage', [
      usage({ offset: 3000, ts: '2026-02-02T10:00:00.000Z', messageId: 'msg_R1', requestId: 'req_R1' }),
    ]);
    const afterInsert = await ask();
    expect(afterInsert.n).toBe(first.n + 1);
    expect(await ask()).toEqual(afterInsert);
    await store.command('OPTIMIZE TABLE usage FINAL');
    expect((await ask()).r).not.toBe(afterInsert.r);
    // Without the option every read runs.
    const plain = () => store.query<{ r: number }>('SELECT rand() AS r');
    expect((await plain())[0]!.r).not.toBe((await plain())[0]!.r);
  });
});
