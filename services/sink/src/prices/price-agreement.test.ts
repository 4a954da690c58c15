/**
 * The store's SQL pricing (reports/responses-sql.ts over the rows a sync writes) and the book's TypeScript
 * pricing (priceResponse) are two implementations of one rule: on the real embedded engine, every case below
 * must cost the same in both, to the last representable digit that matters, and be unpriced in both or
 * neither. The battery covers each rule: the five token kinds, writes without a TTL split, the whole-request
 * tier at, below and above its threshold, fast mode with and without a fast price, US-only inference on
 * models with and without the premium, web search, an effective-dated change on both sides of its instant,
 * id spellings that resolve, unknown models, and advisor iterations under their own model.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBook, priceResponse, shippedBook, type PriceBook } from '@cctap/prices';
import { toUsageRows } from '../rows/usage-row.js';
import { insertRows } from '@cctap/store';
import { assistant, type AssistantSample } from '../testing/sample-events.js';
import { syncPrices } from '@cctap/store';
import { openTempStore, type TempStore } from '@cctap/store/testing';

let store: TempStore;

beforeAll(async () => {
  store = await openTempStore('cctap-price-agreement-');
});
afterAll(() => store.close());

type Case = Omit<AssistantSample, 'offset' | 'messageId' | 'requestId'> & { name: string };

const T = '2026-11-02T12:00:00.000Z';
const CASES: Case[] = [
  {
    name: 'base rates, every token kind',
    ts: T,
    model: 'claude-opus-4-5',
    input: 1234,
    output: 5678,
    cacheCreation: 9000,
    cacheCreation5m: 4000,
    cacheCreation1h: 5000,
    cacheRead: 77_777,
  },
  {
    name: 'writes without a TTL split are 5-minute writes',
    ts: T,
    model: 'claude-opus-4-5',
    input: 10,
    output: 20,
    cacheCreation: 3000,
    cacheCreation5m: 0,
    cacheCreation1h: 0,
  },
  {
    name: 'a split larger than the reported total wins',
    ts: T,
    model: 'claude-sonnet-4-6',
    input: 10,
    output: 20,
    cacheCreation: 100,
    cacheCreation5m: 300,
    cacheCreation1h: 200,
  },
  {
    name: 'only 1-hour writes',
    ts: T,
    model: 'claude-sonnet-4-6',
    input: 1,
    output: 2,
    cacheCreation: 4096,
    cacheCreation5m: 0,
    cacheCreation1h: 4096,
  },
  {
    name: 'cache read below 0.1x input',
    ts: T,
    model: 'claude-fable-5-1',
    input: 500,
    output: 900,
    cacheRead: 1_000_000,
  },
  {
    name: 'tier: prompt exactly at the threshold stays on base rates',
    ts: T,
    model: 'claude-haiku-5-5',
    input: 40_000,
    output: 5000,
    cacheCreation: 10_000,
    cacheRead: 50_000,
  },
  {
    name: 'tier: one token above prices the whole request, output included',
    ts: T,
    model: 'claude-haiku-5-5',
    input: 40_001,
    output: 5000,
    cacheCreation: 10_000,
    cacheRead: 50_000,
  },
  {
    name: 'tier: long context on Sonnet 4.5',
    ts: T,
    model: 'claude-sonnet-4-5-20250929',
    input: 150_000,
    output: 3000,
    cacheRead: 60_000,
  },
  {
    name: 'tier: just below on Sonnet 4.5',
    ts: T,
    model: 'claude-sonnet-4-5-20250929',
    input: 150_000,
    output: 3000,
    cacheRead: 49_999,
  },
  {
    name: 'fast mode 2x on Opus 4.8',
    ts: T,
    model: 'claude-opus-4-8',
    input: 100,
    output: 2000,
    cacheRead: 30_000,
    speed: 'fast',
  },
  { name: 'fast mode 6x on Opus 4.6', ts: T, model: 'claude-opus-4-6', input: 100, output: 2000, speed: 'fast' },
  {
    name: 'fast on a model without a fast price',
    ts: T,
    model: 'claude-sonnet-5-5',
    input: 100,
    output: 2000,
    speed: 'fast',
  },
  {
    name: 'standard speed on a fast-capable model',
    ts: T,
    model: 'claude-opus-4-8',
    input: 100,
    output: 2000,
    speed: 'standard',
  },
  {
    name: 'US-only inference 1.1x',
    ts: T,
    model: 'claude-opus-5-5',
    input: 3000,
    output: 700,
    cacheCreation: 2000,
    cacheRead: 9000,
    inferenceGeo: 'us',
  },
  {
    name: 'US-only on a model without the premium',
    ts: T,
    model: 'claude-opus-4-1',
    input: 3000,
    output: 700,
    inferenceGeo: 'us',
  },
  { name: 'global inference', ts: T, model: 'claude-opus-5-5', input: 3000, output: 700, inferenceGeo: 'global' },
  {
    name: 'fast and US together, with web search (not multiplied)',
    ts: T,
    model: 'claude-opus-5',
    input: 3000,
    output: 700,
    speed: 'fast',
    inferenceGeo: 'us',
    webSearchRequests: 3,
  },
  { name: 'web search only', ts: T, model: 'claude-haiku-4-5', input: 0, output: 0, webSearchRequests: 7 },
  {
    name: 'effective date: the millisecond before the change',
    ts: '2026-10-06T23:59:59.999Z',
    model: 'claude-sonnet-5-5',
    input: 10,
    output: 10,
    cacheRead: 1_000_000,
  },
  {
    name: 'effective date: the instant of the change',
    ts: '2026-10-07T00:00:00.000Z',
    model: 'claude-sonnet-5-5',
    input: 10,
    output: 10,
    cacheRead: 1_000_000,
  },
  {
    name: 'effective date: long after',
    ts: '2026-12-01T08:00:00.000Z',
    model: 'claude-sonnet-5-5',
    input: 10,
    output: 10,
    cacheRead: 1_000_000,
  },
  { name: 'a dated id resolves', ts: T, model: 'claude-haiku-4-5-20251001', input: 10, output: 10 },
  { name: 'zero tokens cost zero, priced', ts: T, model: 'claude-opus-4-5', input: 0, output: 0 },
  { name: 'unknown model: unpriced, never 0', ts: T, model: 'claude-future-9', input: 10, output: 10 },
  { name: 'a neighbour never prices an unknown version', ts: T, model: 'claude-opus-5-7', input: 10, output: 10 },
  {
    name: 'advisor iterations under their own model',
    ts: T,
    model: 'claude-sonnet-5-5',
    input: 100,
    output: 200,
    inferenceGeo: 'us',
    speed: 'fast',
    advisor: [
      { model: 'claude-opus-5-5', input: 5000, output: 800, cacheRead: 20_000 },
      { model: 'claude-opus-5-5', input: 10, output: 10 },
    ],
  },
  {
    name: 'an unknown advisor model leaves the response unpriced',
    ts: T,
    model: 'claude-sonnet-5-5',
    input: 100,
    output: 200,
    advisor: [{ model: 'claude-advisor-x', input: 10, output: 10 }],
  },
];

/** Per response: the SQL sum over its rows (executor and advisors), null when any row is unpriced. */
async function sqlPrices(): Promise<Map<string, { usd: number | null; version: string }>> {
  const rows = await store.query<{ message_id: string; usd: number | null; unpriced: number; versions: string[] }>(
    `SELECT message_id, sum(ifNull(cost_usd, 0)) AS usd, countIf(unpriced) AS unpriced, groupUniqArray(price_version) AS versions
     FROM usage_responses GROUP BY message_id`,
  );
  return new Map(
    rows.map((r) => [
      r.message_id,
      { usd: Number(r.unpriced) > 0 ? null : Number(r.usd), version: r.versions.filter(Boolean).join(',') },
    ]),
  );
}

function tsPrice(book: PriceBook, c: Case) {
  const p = assistant({ ...c, offset: 0, messageId: 'm', requestId: 'r' }).payload;
  return priceResponse(book, {
    model: p.model,
    ts: c.ts,
    usage: p.usage,
    speed: p.speed,
    inferenceGeo: p.inferenceGeo ?? null,
    ...(p.advisor ? { advisor: p.advisor } : {}),
  });
}

function expectAgreement(book: PriceBook, got: Map<string, { usd: number | null; version: string }>) {
  for (const [i, c] of CASES.entries()) {
    const want = tsPrice(book, c);
    const sql = got.get(`msg_${i}`);
    expect(sql, c.name).toBeDefined();
    if (want.usd === null) {
      expect(sql!.usd, c.name).toBeNull();
    } else {
      expect(sql!.usd, c.name).not.toBeNull();
      // Same formula in another engine: equal up to the rounding of a few float additions.
      expect(Math.abs(sql!.usd! - want.usd), `${c.name}: sql ${sql!.usd} ts ${want.usd}`).toBeLessThanOrEqual(
        1e-12 * Math.max(1, want.usd),
      );
      expect(sql!.version, c.name).toBe(book.version);
    }
  }
}

describe('SQL and TypeScript pricing agree', () => {
  it('on every rule of the shipped book', async () => {
    const book = shippedBook();
    await insertRows(
      store,
      'usage',
      CASES.flatMap((c, i) =>
        toUsageRows(assistant({ ...c, offset: i, messageId: `msg_${i}`, requestId: `req_${i}` })),
      ),
      ['agreement'],
    );
    // The battery really covers what it says: priced and unpriced cases, and every multiplier changes a number.
    const priced = CASES.map((c) => tsPrice(book, c));
    expect(priced.filter((p) => p.usd === null)).toHaveLength(3);
    expect(priced.filter((p) => p.usd !== null && p.usd > 0).length).toBe(CASES.length - 4);
    const r = await syncPrices(store, book);
    expect(r.unpriced.sort()).toEqual(['claude-advisor-x', 'claude-future-9', 'claude-opus-5-7']);
    expectAgreement(book, await sqlPrices());
  });

  it('after the book changes, the stored history is re-priced by the next sync, without touching usage', async () => {
    const before = await sqlPrices();
    const usageRows = await store.query<{ n: string }>('SELECT count() AS n FROM usage');
    const file = join(store.dir, 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({
        models: {
          'claude-opus-4-5': {
            rates: { input: 7, output: 30 },
            tier: {
              threshold: 1000,
              rates: { input: 14, output: 60, cacheWrite5m: 17.5, cacheWrite1h: 28, cacheRead: 1.4 },
            },
          },
          'claude-haiku-4-5': {
            webSearchPerRequest: 0.02,
            changes: [{ from: '2026-11-01T00:00:00Z', rates: { output: 6 } }],
          },
          'claude-future-9': { rates: { input: 1, output: 2 } },
        },
      }),
    );
    const book = loadBook({ file });
    const r = await syncPrices(store, book);
    expect(r.unpriced.sort()).toEqual(['claude-advisor-x', 'claude-opus-5-7']);
    const after = await sqlPrices();
    expectAgreement(book, after);
    expect(after.get('msg_0')!.usd).not.toBe(before.get('msg_0')!.usd);
    expect(before.get('msg_23')!.usd).toBeNull();
    expect(after.get('msg_23')!.usd).toBeGreaterThan(0);
    expect(await store.query<{ n: string }>('SELECT count() AS n FROM usage')).toEqual(usageRows);
    // Only the newest generation and the one before it are kept.
    const gens = await store.query<{ g: string }>('SELECT DISTINCT generation AS g FROM prices');
    expect(gens.length).toBeLessThanOrEqual(2);
  });
});
