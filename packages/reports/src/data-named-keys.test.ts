/** Report objects keyed by names from the data (projects, cache-miss reasons): any name, Object.prototype's members included. */
import { describe, expect, it } from 'vitest';
import { periodReportJson, type PeriodReport } from './period-report.js';
import { addCacheMiss, emptyCacheMiss } from './session-cache-miss.js';

const sums = { inputTokens: 1, outputTokens: 2, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 3 };
const row = (project: string, date: string) => ({
  ...sums,
  totalCost: 0.01,
  date,
  period: date,
  project,
  modelsUsed: ['claude-sonnet-4-5'],
  modelBreakdowns: [],
});

describe('periodReportJson with --instances', () => {
  it('keeps projects named like Object.prototype members as plain keys', () => {
    const names = ['constructor', '__proto__', 'toString', 'app'];
    const r: PeriodReport = {
      kind: 'daily',
      by: null,
      instances: true,
      tz: 'UTC',
      rows: [...names.map((n) => row(n, '2026-03-02')), row('constructor', '2026-03-03')],
      totals: { ...sums, totalCost: 0.05 },
      priceBook: null,
    };
    const json = JSON.parse(JSON.stringify(periodReportJson(r))) as { projects: Record<string, { date: string }[]> };
    expect(Object.keys(json.projects).sort()).toEqual([...names].sort());
    expect(json.projects['constructor']!.map((x) => x.date)).toEqual(['2026-03-02', '2026-03-03']);
    expect(json.projects['__proto__']!.map((x) => x.date)).toEqual(['2026-03-02']);
  });
});

describe('cache misses by reason', () => {
  it('counts reasons named like Object.prototype members as plain keys', () => {
    const m = emptyCacheMiss();
    for (const reason of ['constructor', '__proto__', 'toString', 'constructor']) addCacheMiss(m, reason, 1, 10);
    // Compared as entries: an object literal's `__proto__:` would set the prototype, not a key.
    const entries = Object.entries(JSON.parse(JSON.stringify(m.byReason)) as object).sort(([a], [b]) =>
      a.localeCompare(b),
    );
    expect(entries).toEqual([
      ['__proto__', { responses: 1, tokens: 10 }],
      ['constructor', { responses: 2, tokens: 20 }],
      ['toString', { responses: 1, tokens: 10 }],
    ]);
  });
});
