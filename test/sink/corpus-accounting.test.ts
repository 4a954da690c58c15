/**
 * A generated multi-host, multi-project, multi-day corpus (bench/corpus: resume copies, subagents of every
 * layout, responses without request ids) through the normalizer and the store: the daily report per model
 * equals the generator's own accounting (expected.json) exactly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, type CorpusResult } from '../../bench/corpus/index.js';
import { shippedBook } from '@cctap/prices';
import { migrate, openStore, syncPrices, type Store } from '@cctap/store';
import { DEFAULT_RETENTION } from '@cctap/store/internal';
import { periodReport } from '@cctap/reports';
import { expectedDailyByModel } from './support/fixture-batches.js';
import { ingestFiles } from './support/ingest-files.js';

let dir: string;
let store: Store;
let corpus: CorpusResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-sink-corpus-'));
  corpus = generateCorpus({
    out: join(dir, 'corpus'),
    size: 6_000_000,
    seed: 7,
    hosts: 3,
    days: 9,
    startDate: '2026-03-01',
  });
  store = await openStore({ dataDir: join(dir, 'store') });
  await migrate(store, { ...DEFAULT_RETENTION, eventsTtlDays: 0 });
  await ingestFiles(
    store,
    corpus.expected.files.map((f) => ({ path: join(corpus.out, f.path), host: f.host })),
  );
  await syncPrices(store, shippedBook());
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('generated corpus through the store', () => {
  it('daily totals per model equal the generator accounting', async () => {
    const r = await periodReport(store, 'daily', { tz: 'UTC' });
    const got = r.rows
      .flatMap((d) =>
        d.modelBreakdowns.map((b) => ({
          day: String(d.date),
          model: b.modelName,
          inputTokens: b.inputTokens,
          outputTokens: b.outputTokens,
          cacheCreationTokens: b.cacheCreationTokens,
          cacheReadTokens: b.cacheReadTokens,
        })),
      )
      .sort((a, b) => (a.day + a.model).localeCompare(b.day + b.model));
    const want = corpus.expected.byDayModel
      .map(({ day, model, inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens }) => ({
        day,
        model,
        inputTokens,
        outputTokens,
        cacheCreationTokens,
        cacheReadTokens,
      }))
      .sort((a, b) => (a.day + a.model).localeCompare(b.day + b.model));
    expect(new Set(want.map((w) => w.day)).size).toBeGreaterThan(3);
    expect(got).toEqual(want);
  });

  it("daily cost per model equals the book's own pricing of each counted response", async () => {
    const r = await periodReport(store, 'daily', { tz: 'UTC' });
    expect(r.priceBook).toBe(shippedBook().version);
    const got = new Map(
      r.rows.flatMap((d) => d.modelBreakdowns.map((b) => [`${String(d.date)} ${b.modelName}`, b.cost] as const)),
    );
    const want = expectedDailyByModel(
      shippedBook(),
      corpus.expected.files.map((f) => join(corpus.out, f.path)),
    );
    expect([...got.keys()].sort()).toEqual(want.map((w) => `${w.date} ${w.model}`).sort());
    expect(want.filter((w) => w.cost !== null && w.cost > 0).length).toBeGreaterThan(3);
    for (const w of want) {
      const c = got.get(`${w.date} ${w.model}`)!;
      if (w.cost === null) expect(c, `${w.date} ${w.model}`).toBeNull();
      else expect(c, `${w.date} ${w.model}`).toBeCloseTo(w.cost, 9);
    }
  });

  it('per host totals equal the generator accounting', async () => {
    const r = await periodReport(store, 'monthly', { tz: 'UTC', by: 'host' });
    const got = new Map<string, number>();
    for (const row of r.rows)
      got.set(
        String(row.host),
        (got.get(String(row.host)) ?? 0) +
          row.inputTokens +
          row.outputTokens +
          row.cacheCreationTokens +
          row.cacheReadTokens,
      );
    const want = new Map<string, number>();
    for (const p of corpus.expected.byHostProject)
      want.set(
        p.host,
        (want.get(p.host) ?? 0) + p.inputTokens + p.outputTokens + p.cacheCreationTokens + p.cacheReadTokens,
      );
    expect(got).toEqual(want);
  });
});
