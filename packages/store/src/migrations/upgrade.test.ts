/**
 * A store written before central pricing (migrations 001-005, host-side cost in `usage.cost_usd`) upgraded
 * by the current migrate(): its history is priced from the book, not from the cost the laptop computed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceResponse, shippedBook } from '@cctap/prices';
import { syncPrices } from '../prices/price-sync.js';
import { MIGRATIONS } from './all.js';
import { migrate } from './migrate.js';
import { openTempStore, type TempStore } from '../testing/temp-store.js';

let store: TempStore;

beforeAll(async () => {
  store = await openTempStore('cctap-upgrade-', { migrated: false });
});
afterAll(() => store.close());

describe('upgrading a store from host-side cost', () => {
  it('re-prices the old rows with the book and ignores their stored cost', async () => {
    await migrate(
      store,
      undefined,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    const ts = '2026-05-01 10:00:00.000';
    await store.insert('usage', [
      {
        message_id: 'm_old',
        request_id: 'r_old',
        scope: '',
        ts,
        event_id: '00000000-0000-4000-8000-000000000001',
        host: 'h',
        user: 'u',
        session_id: 's',
        project: '/p',
        model: 'claude-opus-4-5-20251101',
        input_tokens: 1000,
        output_tokens: 2000,
        total_tokens: 3000,
        cost_usd: 99,
        unpriced: false,
        price_version: 'laptop-2026-04',
      },
    ]);
    const old = await store.query<{ cost_usd: number }>('SELECT cost_usd FROM usage_responses');
    expect(old).toEqual([{ cost_usd: 99 }]);

    const r = await migrate(store);
    expect(r.applied.map((m) => m.version)).toEqual(MIGRATIONS.filter((m) => m.version > 5).map((m) => m.version));
    const book = shippedBook();
    await syncPrices(store, book);
    const [row] = await store.query<{
      cost_usd: number;
      unpriced: boolean;
      price_version: string;
      inference_geo: string;
    }>('SELECT cost_usd, unpriced, price_version, inference_geo FROM usage_responses');
    const usage = {
      input: 1000,
      output: 2000,
      cacheCreation: 0,
      cacheRead: 0,
      cacheCreation5m: 0,
      cacheCreation1h: 0,
      webSearchRequests: 0,
      webFetchRequests: 0,
    };
    const want = priceResponse(book, {
      model: 'claude-opus-4-5-20251101',
      ts: '2026-05-01T10:00:00Z',
      usage,
      speed: null,
      inferenceGeo: null,
    }).usd!;
    expect(row!.cost_usd).toBeCloseTo(want, 12);
    expect(row).toMatchObject({ unpriced: false, price_version: book.version, inference_geo: '' });
  });
});
