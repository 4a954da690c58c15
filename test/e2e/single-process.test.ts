/**
 * `cctap up` end to end, as a user runs it: the real binary as a child process on a generated corpus (bench/
 * corpus) with the in-process bus and the embedded store, lines appended while it runs, SIGTERM, then the
 * store read back. Expectations come from outside the pipeline: the generator's line counts and its own
 * accounting (expected.json), and the normalizer's event count for the final files.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TranscriptStream } from '@cctap/transcript';
import { generateCorpus, type CorpusResult } from '../../bench/corpus/index.js';
import { cli, waitUntil, sqlJson as sqlCli, startUp } from './support/run-cctap.js';
import { upSummary } from './support/up-summary.js';

const sqlJson = (data: string, sql: string) => sqlCli<Record<string, number>>(data, sql);

const summaryOf = (stdout: string) =>
  upSummary<{ collector: { eventsPublished: number; batchesPublished: number }; store: { events: number } }>(stdout);

const COUNTS_SQL = `SELECT
  (SELECT count() FROM events FINAL WHERE type != 'heartbeat') AS rows_final,
  (SELECT uniqExact(id) FROM events WHERE type != 'heartbeat') AS ids,
  (SELECT uniqExact(source_path, source_offset) FROM events WHERE type != 'heartbeat') AS lines,
  (SELECT count() FROM invalid_events) AS invalid`;

let dir: string;
let corpus: CorpusResult;
let data: string;
let root: string;
/** Lines held back from some files, appended while `up` runs. */
let heldBack: { path: string; text: string }[] = [];
let normalizedEvents = 0;
/** The counts read back after the first test's `up` stopped: the store the second start begins from. */
let countsAfterFirst: Record<string, number>[] | undefined;
/** `cctap report daily --json` answered by the running `up` once every line was stored. */
let liveReport: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-up-'));
  corpus = generateCorpus({ out: join(dir, 'corpus'), size: 6_000_000, seed: 23, days: 5, startDate: '2026-04-01' });
  root = corpus.out;
  data = join(dir, 'data');
  // The final files are what the generator wrote; the normalizer tells how many events they hold.
  for (const f of corpus.expected.files) {
    const bytes = readFileSync(join(root, f.path));
    const s = new TranscriptStream({
      host: 'h',
      user: 'u',
      path: join(root, f.path),
      fileId: 'f',
      privacy: 'redacted',
      startOffset: 0,
      lastTs: null,
      fileTs: '2026-01-01T00:00:00.000Z',
    });
    for (const line of s.push(bytes)) normalizedEvents += line.events.length;
  }
  // Hold back the second half of the three largest main-session files.
  const mains = [...corpus.expected.files]
    .filter((f) => f.role === 'main')
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3);
  heldBack = mains.map((f) => {
    const path = join(root, f.path);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    const cut = lines.slice(0, Math.floor(lines.length / 2)).join('\n').length + 1;
    writeFileSync(path, text.slice(0, cut));
    return { path, text: text.slice(cut) };
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('cctap up, single process', () => {
  it('ingests a corpus plus live appends exactly once, answers over loopback while running, and stops cleanly', async () => {
    const args = [
      '--root',
      root,
      '--data',
      data,
      '--metrics-port',
      '0',
      '--log-format',
      'json',
      '--status-seconds',
      '0',
    ];
    const up = startUp(args);
    try {
      await waitUntil(
        'the backfill',
        () => (up.stderr().includes('"msg":"backfill done') ? true : undefined),
        90_000,
        up.stderr,
      );
      expect(JSON.parse(readFileSync(join(data, 'up.json'), 'utf8'))).toMatchObject({ pid: up.child.pid });

      // A second `up` on the same store is refused, clearly.
      const second = await cli(['up', ...args]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`in use by another 'cctap up' (pid ${up.child.pid})`);

      // Asked twice before the appends: the second answer is the first one kept by `up` (nothing was written
      // in between); the appends below must replace it (the store's read cache, read-cache.ts).
      const reportArgs = ['report', 'daily', '--json', '--tz', 'UTC', '--data', data];
      const before = await cli(reportArgs);
      expect(before.code, before.stderr).toBe(0);
      expect((await cli(reportArgs)).stdout).toBe(before.stdout);

      // Live appends, one line split across two writes.
      for (const h of heldBack) {
        const mid = Math.floor(h.text.length / 2);
        appendFileSync(h.path, h.text.slice(0, mid));
        await new Promise((r) => setTimeout(r, 300));
        appendFileSync(h.path, h.text.slice(mid));
      }
      const want = corpus.expected.totals.lines;
      // The store is held by `up`: these answers can only come over loopback.
      await waitUntil(
        'every line in the store',
        async () => ((await sqlJson(data, COUNTS_SQL))[0]!.lines === want ? true : undefined),
        60_000,
        up.stderr,
      );
      const live = await cli(reportArgs);
      expect(live.code, live.stderr).toBe(0);
      const outputTokens = (stdout: string) =>
        (JSON.parse(stdout) as { totals: { outputTokens: number } }).totals.outputTokens;
      expect(outputTokens(live.stdout)).toBeGreaterThan(outputTokens(before.stdout));
      liveReport = live.stdout;

      const metricsPort = Number(/"msg":"probe server listening","port":(\d+)/.exec(up.stderr())?.[1]);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      for (const name of [
        'cctap_collector_events_published_total',
        'cctap_validator_events_total',
        'cctap_sink_rows_total',
      ])
        expect(metrics).toContain(name);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(200);
    } finally {
      up.child.kill('SIGTERM');
    }
    expect(await up.exit).toBe(0);
    expect(existsSync(join(data, 'up.json'))).toBe(false);
    expect(summaryOf(up.stdout()).collector.eventsPublished).toBe(normalizedEvents);

    // Read back through the store itself (no `up` running).
    countsAfterFirst = await sqlJson(data, COUNTS_SQL);
    const [c] = countsAfterFirst;
    expect(c).toEqual({
      rows_final: normalizedEvents,
      ids: normalizedEvents,
      lines: corpus.expected.totals.lines,
      invalid: 0,
    });

    const report = await cli(['report', 'daily', '--json', '--tz', 'UTC', '--data', data]);
    expect(report.code, report.stderr).toBe(0);
    // What the running `up` answered once every line was in, it answers with the store to itself.
    expect(report.stdout).toBe(liveReport);
    const daily = (
      JSON.parse(report.stdout) as {
        daily: {
          date: string;
          modelBreakdowns: {
            modelName: string;
            inputTokens: number;
            outputTokens: number;
            cacheCreationTokens: number;
            cacheReadTokens: number;
          }[];
        }[];
      }
    ).daily;
    const got = daily
      .flatMap((d) =>
        d.modelBreakdowns.map((b) => ({
          day: d.date,
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
    expect(new Set(want.map((w) => w.day)).size).toBeGreaterThan(2);
    expect(got).toEqual(want);
  });

  it('a second start resumes from the checkpoints and re-sends nothing', async () => {
    // Nothing wrote to the store since the first test read it back (each `cctap sql` opens the store anew).
    const before = countsAfterFirst ?? (await sqlJson(data, COUNTS_SQL));
    const again = startUp(['--root', root, '--data', data, '--metrics-port', '0', '--log-format', 'json', '--once']);
    expect(await again.exit, again.stderr()).toBe(0);
    const s = summaryOf(again.stdout());
    expect(s.collector.eventsPublished).toBe(0);
    expect(s.collector.batchesPublished).toBe(0);
    expect(await sqlJson(data, COUNTS_SQL)).toEqual(before);
  });
});
