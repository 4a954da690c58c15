/**
 * A store that runs out of disk mid-backfill loses nothing. Reproduced on a real small file system (tmpfs,
 * mostly filled before the run): ClickHouse answers NOT_ENOUGH_SPACE, `cctap up --once` holds its flushes
 * instead of dead-lettering them, acknowledges nothing it did not store (so no checkpoint moves past it),
 * stops in bounded time on SIGTERM with a non-zero code, and once space is freed the next run stores every
 * token exactly: totals equal the corpus generator's own accounting.
 *
 * Needs root for the tmpfs mount (CI runs as root); without it the test fails and says so.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, type CorpusResult } from '../../bench/corpus/index.js';
import { waitFor } from '../support/wait-for.js';
import { cli, exitWithin, startUp } from './support/run-cctap.js';

let dir: string;
let disk: string;
let corpus: CorpusResult;
let mounted = false;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-full-disk-'));
  disk = join(dir, 'disk');
  mkdirSync(disk);
  if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs and needs root (CI runs as root)');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', disk]);
  mounted = true;
  // Leave about 9 MB: the migrations fit, the backfill does not.
  execFileSync('fallocate', ['-l', '55m', join(disk, 'filler')]);
  corpus = generateCorpus({ out: join(dir, 'corpus'), size: 24_000_000, seed: 7, days: 4, startDate: '2026-05-01' });
});

afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', disk]);
  rmSync(dir, { recursive: true, force: true });
});

interface Daily {
  totals: { inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number };
}

describe('a full disk under cctap up', () => {
  it('holds instead of dropping, and the run after freeing space stores every token exactly', async () => {
    const data = join(disk, 'data');
    const args = [
      '--once',
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
      '2000',
    ];
    const first = startUp(args);
    await waitFor(
      'the store to run out of space',
      () => first.stderr().includes('store out of resources'),
      120_000,
      100,
    );
    first.child.kill('SIGTERM');
    // The deadline is 2 s (the held flushes cannot finish, so the stop runs into it); past it the process kills
    // itself, which a stuck engine thread cannot hold up.
    const code = await exitWithin(first, 30_000, 'the first run after SIGTERM');
    expect(code, first.stderr().slice(-2000)).not.toBe(0);
    expect(first.stderr()).not.toContain('sent to the dead letters');

    rmSync(join(disk, 'filler'));
    const second = await cli(['up', ...args], undefined, 120_000);
    expect(second.code, second.stderr.slice(-2000)).toBe(0);
    const report = await cli(['report', 'daily', '--json', '--tz', 'UTC', '--data', data], undefined, 60_000);
    expect(report.code, report.stderr).toBe(0);
    const got = (JSON.parse(report.stdout) as Daily).totals;
    const { inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens } = corpus.expected.totals;
    const want = { inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens };
    expect({
      inputTokens: got.inputTokens,
      outputTokens: got.outputTokens,
      cacheCreationTokens: got.cacheCreationTokens,
      cacheReadTokens: got.cacheReadTokens,
    }).toEqual(want);
  }, 300_000);
});
