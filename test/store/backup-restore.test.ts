/**
 * `cctap backup --to DIR` and `cctap restore --from DIR` on the embedded engine, the real command end to end:
 * real transcripts ingested with `cctap up --once`, backed up with ClickHouse's BACKUP, the store wiped,
 * restored with RESTORE, and the daily report's totals (and the stored rows) are what they were.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_FIXTURES_DIR } from '../support/paths.js';
import { cli, sqlJson } from '../e2e/support/run-cctap.js';

const FIXTURES = ['spotter-v2.1.38-tool-heavy-interrupt.jsonl', 'ccv-v1.0.98-small-tool-error.jsonl'];

let dir: string;
let data: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-backup-'));
  data = join(dir, 'data');
  const project = join(dir, 'claude', 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  FIXTURES.forEach((f, i) =>
    copyFileSync(join(REAL_FIXTURES_DIR, f), join(project, `7a1b0c2d-0000-4000-8000-00000000000${i}.jsonl`)),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const daily = async () => {
  const r = await cli(['report', 'daily', '--json', '--tz', 'UTC', '--data', data], undefined, 60_000);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { totals: Record<string, unknown> }).totals;
};
const COUNTS = `SELECT (SELECT count() FROM events FINAL) AS events, (SELECT count() FROM usage_responses) AS responses,
  (SELECT max(version) FROM schema_migrations) AS migration`;

describe('cctap backup and restore', () => {
  it('ingest, back up, wipe, restore: identical report totals and rows', async () => {
    const up = await cli(
      [
        'up',
        '--once',
        '--quiet',
        '--root',
        join(dir, 'claude'),
        '--data',
        data,
        '--metrics-port',
        '0',
        '--status-seconds',
        '0',
      ],
      undefined,
      120_000,
    );
    expect(up.code, up.stderr.slice(-2000)).toBe(0);
    const before = await daily();
    const rowsBefore = await sqlJson(data, COUNTS);
    expect(Number(before.totalTokens)).toBeGreaterThan(0);

    const backupDir = join(dir, 'backup-1');
    const backup = await cli(['backup', '--to', backupDir, '--data', data], undefined, 60_000);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^backed up \d+ tables and views of default to File\(/);
    expect(existsSync(join(backupDir, '.backup'))).toBe(true);

    rmSync(data, { recursive: true, force: true });
    const restore = await cli(['restore', '--from', backupDir, '--data', data], undefined, 60_000);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/^restored \d+ tables and views of default from File\(/);

    expect(await daily()).toEqual(before);
    expect(await sqlJson(data, COUNTS)).toEqual(rowsBefore);

    // A second restore onto the restored store is refused in one line.
    const again = await cli(['restore', '--from', backupDir, '--data', data], undefined, 60_000);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toMatch(
      /^cctap restore: the store already has tables .*; restore into an empty store$/,
    );
  }, 240_000);

  it('says what to give when --to is missing, refuses --cluster without a server and a directory without a backup', async () => {
    const none = await cli(['backup', '--data', join(dir, 'other')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: cctap backup --to DIR');
    const cluster = await cli(['backup', '--to', join(dir, 'b2'), '--cluster', 'cctap', '--data', join(dir, 'other')]);
    expect(cluster.code).toBe(2);
    expect(cluster.stderr.trim()).toBe('cctap backup: --cluster needs a ClickHouse server (--clickhouse URL)');
    const missing = await cli(['restore', '--from', join(dir, 'nothing'), '--data', join(dir, 'other')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `cctap restore: no backup in ${join(dir, 'nothing')} (a cctap backup directory holds a .backup file)`,
    );
  });
});
