/** `--instances --json` groups rows by project name: any name, those of Object.prototype's members included. */
import { describe, expect, it } from 'vitest';
import { periodReportJson, type PeriodReport } from './period-report.js';

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
