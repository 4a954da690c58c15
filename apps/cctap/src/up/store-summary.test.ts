import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '@cctap/store';
import { storeTotals, todayLine, totalsLine } from './store-summary.js';

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-store-summary-'));
  store = await openStore({ dataDir: dir });
  await migrate(store);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the status line', () => {
  it('a day without usage costs $0.00, not "unpriced"', async () => {
    const today = await todayLine(store, 0);
    expect(today.text).toBe('0 active sessions · today 0 tokens · $0.00');
    expect(today.fields.todayCostUsd).toBe(0);
    expect(totalsLine(await storeTotals(store))).toBe('store: 0 events, 0 sessions, 0 tokens, $0.00');
    expect(totalsLine({ events: 1, sessions: 1, tokens: 5, costUsd: 0.5, priceBook: '2026-12-06' })).toBe(
      'store: 1 events, 1 sessions, 5 tokens, $0.50 (prices: book 2026-12-06)',
    );
  });
});
