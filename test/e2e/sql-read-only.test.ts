/**
 * `cctap sql` answers questions and nothing else, on the store directly and through a running `cctap up`:
 * no file read or written outside the store, no network, no setting that sticks for the next question.
 * Each refusal is one line on stderr and exit code 1, told before the store is opened or `up` asked; `up`
 * refuses the same questions from any loopback caller.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_FIXTURES_DIR } from '../support/paths.js';
import { waitFor } from '../support/wait-for.js';
import { askRunningUp } from '../../apps/cctap/src/up/query-client.js';
import { cli, sqlJson, startUp } from './support/run-cctap.js';

let dir: string;
let root: string;
let data: string;
let secret: string;
let outFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-sql-ro-'));
  root = join(dir, 'claude');
  data = join(dir, 'data');
  const project = join(root, 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  copyFileSync(
    join(REAL_FIXTURES_DIR, 'spotter-v2.1.38-rejected-tool-use.jsonl'),
    join(project, '5f0c2a1e-0000-4000-8000-000000000001.jsonl'),
  );
  secret = join(dir, 'secret.txt');
  writeFileSync(secret, 'hunter2-the-secret\n');
  outFile = join(dir, 'written-by-sql.txt');
  const once = await cli(['up', '--once', '--root', root, '--data', data, '--metrics-port', '0', '--quiet']);
  expect(once.code, once.stderr).toBe(0);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const attacks = (): [string, string, RegExp][] => [
  ['scalar file()', `SELECT file('${secret}') AS s`, /file\(\) reaches outside the store/],
  ['file table function', `SELECT * FROM file('${secret}', 'LineAsString')`, /file\(\) reaches outside the store/],
  ['quoted file()', `SELECT \`file\`('${secret}') AS s`, /quoted function names/],
  [
    'url table function',
    "SELECT * FROM url('http://127.0.0.1:9/x', 'LineAsString')",
    /url\(\) reaches outside the store/,
  ],
  ['INTO OUTFILE', `SELECT 1 INTO OUTFILE '${outFile}'`, /INTO OUTFILE is not allowed/],
  ['SET', 'SET max_threads = 1', /only reading statements/],
  ['SETTINGS clause', 'SELECT 1 SETTINGS readonly = 0', /SETTINGS clauses are not allowed/],
  ['two statements', 'SELECT 1; DROP TABLE events', /one statement per query/],
  ['DDL', 'DROP TABLE events', /only reading statements/],
];

async function expectRefused(sql: string, message: RegExp): Promise<void> {
  const r = await cli(['sql', sql, '--data', data]);
  expect(r.code, r.stdout).toBe(1);
  expect(r.stdout).not.toContain('hunter2');
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

describe('cctap sql is read-only', () => {
  it('refuses what reaches outside the store, on the store directly', async () => {
    for (const [, sql, message] of attacks()) await expectRefused(sql, message);
    expect(existsSync(outFile)).toBe(false);
    // Words in strings do not trip the gate, and ordinary questions work.
    const [row] = await sqlJson<{ n: number; s: string }>(
      data,
      "SELECT count() AS n, 'file(x) INTO OUTFILE' AS s FROM events",
    );
    expect(row!.n).toBeGreaterThan(0);
    expect(row!.s).toBe('file(x) INTO OUTFILE');
  }, 120_000);

  it('refuses the same over loopback to a running up, and nothing sticks for the next question', async () => {
    const up = startUp([
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
    ]);
    try {
      // Asked only once `up` has published its loopback address: before that a question opens the store itself.
      await waitFor(
        'up to publish its address',
        () => (JSON.parse(readFileSync(join(data, 'up.json'), 'utf8')) as { port: number | null }).port !== null,
        60_000,
        100,
      );
      // `cctap sql` refuses these before it asks (the first test); up must refuse them too, for any loopback
      // caller. All at once: `up` answers each on its own, and one that got through would still be seen.
      await Promise.all(
        attacks().map(([what, sql, message]) =>
          expect(askRunningUp(data, { op: 'query', sql }), what).rejects.toThrow(message),
        ),
      );
      await expectRefused(attacks()[0]![1], attacks()[0]![2]);
      expect(existsSync(outFile)).toBe(false);
      const [s] = await sqlJson<{ r: number }>(data, "SELECT toUInt8(getSetting('readonly')) AS r");
      expect(s!.r).toBe(1);
    } finally {
      up.child.kill('SIGTERM');
    }
    expect(await up.exit, up.stderr().slice(-2000)).toBe(0);
  }, 120_000);
});
