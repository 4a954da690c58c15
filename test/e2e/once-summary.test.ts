/**
 * `cctap up --once` says what it did not store as written, and exits non-zero when something was left out:
 * malformed lines are stored (as `malformed` events) and counted; a transcript-named entry that is not a
 * regular file cannot be read, is counted, and makes the run exit 3.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_FIXTURES_DIR } from '../support/paths.js';
import { cli } from './support/run-cctap.js';
import { upSummary } from './support/up-summary.js';

let dir: string;
let project: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-once-summary-'));
  project = join(dir, 'claude', 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  const good = readFileSync(join(REAL_FIXTURES_DIR, 'spotter-v2.1.38-rejected-tool-use.jsonl'), 'utf8');
  writeFileSync(join(project, '5f0c2a1e-0000-4000-8000-000000000003.jsonl'), `${good}not json\n[1,2]\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  msg: string;
  notStored: { deadLettered: number; filesSkipped: number; malformedLines: number; invalidEvents: number };
}

describe('cctap up --once summary', () => {
  it('counts malformed lines and exits 0 when everything was stored', async () => {
    const r = await cli([
      'up',
      '--once',
      '--root',
      join(dir, 'claude'),
      '--data',
      join(dir, 'data-1'),
      '--metrics-port',
      '0',
      '--log-format',
      'json',
    ]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(upSummary<Summary>(r.stdout).notStored).toEqual({
      deadLettered: 0,
      filesSkipped: 0,
      malformedLines: 2,
      invalidEvents: 0,
    });
  }, 120_000);

  it('names an entry it could not read and exits 3', async () => {
    execFileSync('mkfifo', [join(project, '5f0c2a1e-0000-4000-8000-000000000004.jsonl')]);
    const r = await cli([
      'up',
      '--once',
      '--root',
      join(dir, 'claude'),
      '--data',
      join(dir, 'data-2'),
      '--metrics-port',
      '0',
    ]);
    expect(r.code, r.stderr.slice(-2000)).toBe(3);
    expect(r.stdout).toContain('not read: 1 transcript-named entries that are not regular files');
    expect(r.stdout).toContain('stored as malformed: 2 lines');
  }, 120_000);
});
