/**
 * History older than the retention is kept when it arrives late: a backfill of transcripts written two and
 * six years ago through `cctap up --once` leaves every event in the store (the events TTL counts from
 * ingest, not from the line's own time) and every token in `usage` and in `cctap report` (usage has no TTL).
 * Before migration 012, ClickHouse dropped such events as they were inserted.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedBook } from '@cctap/prices';
import { REAL_FIXTURES_DIR } from '../support/paths.js';
import { expectedDailyByModel } from '../sink/support/fixture-batches.js';
import { cli, sqlJson } from './support/run-cctap.js';
import { upSummary } from './support/up-summary.js';

const DAY = 86_400_000;
let dir: string;
const files: { path: string; year: string }[] = [];

/** A real transcript with every time in it (`timestamp` at any depth, and its mtime) moved `days` back. */
function backdated(fixture: string, days: number, name: string, project: string): void {
  const years = new Set<string>();
  let last = 0;
  const lines = readFileSync(join(REAL_FIXTURES_DIR, fixture), 'utf8')
    .split('\n')
    .map((l) => {
      if (!l.trim()) return l;
      return JSON.stringify(JSON.parse(l), (key, v: unknown) => {
        if (key !== 'timestamp' || typeof v !== 'string') return v;
        const moved = new Date(Date.parse(v) - days * DAY).toISOString();
        years.add(moved.slice(0, 4));
        last = Math.max(last, Date.parse(moved));
        return moved;
      });
    });
  const path = join(project, name);
  writeFileSync(path, lines.join('\n'));
  utimesSync(path, new Date(last), new Date(last)); // lines without a time of their own take the file's
  expect(years.size).toBe(1);
  files.push({ path, year: [...years][0]! });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-old-history-'));
  const project = join(dir, 'claude', 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  backdated('spotter-v2.1.38-rejected-tool-use.jsonl', 2 * 365, '5f0c2a1e-0000-4000-8000-00000000000a.jsonl', project);
  backdated('ccv-v1.0.98-small-tool-error.jsonl', 6 * 365, '5f0c2a1e-0000-4000-8000-00000000000b.jsonl', project);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backfilled history older than the retention', () => {
  it('is stored, counted and reported', async () => {
    const data = join(dir, 'data');
    const r = await cli(
      ['up', '--once', '--root', join(dir, 'claude'), '--data', data, '--metrics-port', '0', '--log-format', 'json'],
      undefined,
      120_000,
    );
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const published = upSummary<{ collector: { eventsPublished: number } }>(r.stdout).collector.eventsPublished;
    expect(published).toBeGreaterThan(10);

    const byYear = await sqlJson<{ y: string; n: string }>(
      data,
      'SELECT toString(toYear(ts)) AS y, toString(uniqExact(id)) AS n FROM events GROUP BY y ORDER BY y',
    );
    expect(byYear.map((x) => x.y).sort()).toEqual(files.map((f) => f.year).sort());
    expect(byYear.reduce((n, x) => n + Number(x.n), 0)).toBe(published);

    const expected = expectedDailyByModel(
      shippedBook(),
      files.map((f) => f.path),
    );
    const total = expected.reduce((n, d) => n + d.input + d.output + d.cacheCreation + d.cacheRead, 0);
    expect(total).toBeGreaterThan(0);
    const report = await cli([
      'report',
      'monthly',
      '--json',
      '--tz',
      'UTC',
      '--data',
      data,
      '--since',
      `${files[1]!.year}-01-01`,
    ]);
    expect(report.code, report.stderr).toBe(0);
    const months = JSON.parse(report.stdout) as { monthly: { month: string }[]; totals: { totalTokens: number } };
    expect(months.totals.totalTokens).toBe(total);
    expect(months.monthly.map((m) => m.month.slice(0, 4)).sort()).toEqual(files.map((f) => f.year).sort());
  }, 60_000);
});
