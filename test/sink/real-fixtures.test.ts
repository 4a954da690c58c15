/**
 * The real fixtures, normalized and inserted into the embedded engine: the daily report per model equals
 * the max rule computed independently from the JSON, and inserting every batch again changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedBook } from '@cctap/prices';
import { batchRows } from '@cctap/sink/internal';
import { blocksReport, periodReport } from '@cctap/reports';
import { insertRows, migrate, openStore, syncPrices, type Store } from '@cctap/store';
import { DEFAULT_RETENTION } from '@cctap/store/internal';
import { expectedDailyByModel, fixtureBatches } from './support/fixture-batches.js';

let dir: string;
let store: Store;
const book = shippedBook();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-sink-fixtures-'));
  store = await openStore({ dataDir: dir });
  // The fixtures are older than the default 400-day event retention: keep events forever here.
  await migrate(store, { ...DEFAULT_RETENTION, eventsTtlDays: 0 });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function insertAll(tokenSuffix: string): Promise<void> {
  const batches = fixtureBatches();
  const events = batches.flatMap((b) => batchRows(b).events);
  const usage = batches.flatMap((b) => batchRows(b).usage);
  await insertRows(store, 'events', events, [`all-${tokenSuffix}`]);
  await insertRows(store, 'usage', usage, [`all-${tokenSuffix}`]);
  await syncPrices(store, book);
}

async function reportedByDayModel() {
  const r = await periodReport(store, 'daily', { tz: 'UTC' });
  return r.rows
    .flatMap((d) =>
      d.modelBreakdowns.map((b) => ({
        date: String(d.date),
        model: b.modelName,
        input: b.inputTokens,
        output: b.outputTokens,
        cacheCreation: b.cacheCreationTokens,
        cacheRead: b.cacheReadTokens,
        cost: b.cost,
      })),
    )
    .sort((a, b) => (a.date + a.model).localeCompare(b.date + b.model));
}

describe('real fixtures through the store', () => {
  it('daily totals per model equal the max rule computed from the JSON lines, priced with the book', async () => {
    await insertAll('first');
    const expected = expectedDailyByModel(book);
    expect(expected.length).toBeGreaterThan(3);
    expect(expected.some((e) => e.cost !== null && e.cost > 0)).toBe(true);
    const got = await reportedByDayModel();
    // Costs: the store's SQL sum against the book's TypeScript pricing, to a billionth of a dollar.
    const priced = (c: number | null) => (c === null ? null : 'priced');
    expect(got.map((g) => ({ ...g, cost: priced(g.cost) }))).toEqual(
      expected.map((e) => ({ ...e, cost: priced(e.cost) })),
    );
    for (const [i, g] of got.entries())
      if (g.cost !== null) expect(g.cost, `${g.date} ${g.model}`).toBeCloseTo(expected[i]!.cost!, 9);
  });

  it('the same batches inserted again (other flushes) change no number', async () => {
    const before = await periodReport(store, 'daily', { tz: 'UTC' });
    await insertAll('second');
    await insertAll('third');
    expect(await periodReport(store, 'daily', { tz: 'UTC' })).toEqual(before);
    const ev = await store.query<{ n: number; u: number }>('SELECT count() AS n, uniqExact(id) AS u FROM events FINAL');
    expect(Number(ev[0]!.n)).toBe(Number(ev[0]!.u));
    expect(Number(ev[0]!.n)).toBe(fixtureBatches().reduce((s, b) => s + b.events.length, 0));
  });

  it('every report kind answers, and the totals agree across them', async () => {
    const daily = await periodReport(store, 'daily', { tz: 'UTC' });
    for (const kind of ['weekly', 'monthly', 'session'] as const) {
      const r = await periodReport(store, kind, { tz: 'UTC' });
      expect(r.totals).toEqual(daily.totals);
    }
    const byProject = await periodReport(store, 'daily', { tz: 'UTC', by: 'project' });
    expect(byProject.totals).toEqual(daily.totals);
    expect(byProject.rows.every((r) => typeof r.project === 'string')).toBe(true);
    const blocks = await blocksReport(store, { tz: 'UTC' });
    expect(blocks.blocks.reduce((s, b) => s + b.totalTokens, 0)).toBe(daily.totals.totalTokens);
    expect(blocks.blocks.some((b) => b.isGap)).toBe(true);
  });

  it('filters by day in the requested zone without changing any response it keeps', async () => {
    const all = await periodReport(store, 'daily', { tz: 'UTC' });
    const day = String(all.rows[all.rows.length - 1]!.date);
    const one = await periodReport(store, 'daily', { tz: 'UTC', since: day, until: day });
    expect(one.rows).toEqual([all.rows[all.rows.length - 1]]);
  });
});
