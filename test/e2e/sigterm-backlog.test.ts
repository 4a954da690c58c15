/**
 * SIGTERM in the middle of a backfill, with more backlog than the shutdown deadline can drain: `cctap up`
 * stops reading, lets the insert in flight finish or abandons it (the transcripts are the spool), exits
 * within its deadline without crashing the embedded engine, and the next run stores every token exactly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, type CorpusResult } from '../../bench/corpus/index.js';
import { cli, startUp, waitUntil } from './support/run-cctap.js';

let dir: string;
let corpus: CorpusResult;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-sigterm-'));
  corpus = generateCorpus({ out: join(dir, 'corpus'), size: 12_000_000, seed: 5, days: 3, startDate: '2026-06-01' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SIGTERM with a backlog', () => {
  it('exits within the deadline, cleanly, and the next run stores every token', async () => {
    const data = join(dir, 'data');
    const deadlineMs = 2000;
    const up = startUp([
      '--root',
      corpus.out,
      '--data',
      data,
      '--metrics-port',
      '0',
      '--log-format',
      'json',
      '--status-seconds',
      '0',
      '--shutdown-timeout-ms',
      String(deadlineMs),
    ]);
    // Mid-backfill: some batches are in, most are not.
    await waitUntil(
      'the backfill to be under way',
      () => (/"msg":"backfill \d+\/\d+ files/.test(up.stderr()) ? true : undefined),
      60_000,
      up.stderr,
    );
    const t0 = Date.now();
    up.child.kill('SIGTERM');
    expect(up.stderr(), 'SIGTERM must land before the backfill is done').not.toMatch(/"msg":"backfill done/);
    const code = await up.exit;
    const took = Date.now() - t0;
    expect(up.stderr(), 'the embedded engine must not be torn down mid-insert').not.toMatch(/FATAL|napi_throw|Abort/);
    // 0 or 1 from a stop within the deadline; past it, the process's own SIGKILL (the runner's hard stop).
    const ending = code ?? up.signal();
    expect([0, 1, 'SIGKILL'], up.stderr().slice(-2000)).toContain(ending);
    if (ending === 'SIGKILL') expect(up.stderr()).toContain('graceful stop exceeded its deadline');
    // The deadline, plus the store's close and the process exit.
    expect(took).toBeLessThan(deadlineMs + 8000);

    const again = await cli(['up', '--once', '--root', corpus.out, '--data', data, '--metrics-port', '0', '--quiet']);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    const report = await cli(['report', 'daily', '--json', '--tz', 'UTC', '--data', data]);
    const got = (JSON.parse(report.stdout) as { totals: Record<string, number> }).totals;
    const want = corpus.expected.totals;
    expect({
      input: got.inputTokens,
      output: got.outputTokens,
      cacheCreation: got.cacheCreationTokens,
      cacheRead: got.cacheReadTokens,
    }).toEqual({
      input: want.inputTokens,
      output: want.outputTokens,
      cacheCreation: want.cacheCreationTokens,
      cacheRead: want.cacheReadTokens,
    });
  }, 180_000);
});
