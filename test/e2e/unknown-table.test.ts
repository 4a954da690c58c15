/**
 * A store without cctap's tables is told apart by ClickHouse's error code (60 UNKNOWN_TABLE, read once where
 * the store classifies its errors), not by the words of the message: `cctap report` on a fresh data
 * directory says to run `cctap migrate`, exit 1; another refusal (bad SQL) keeps its own line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './support/run-cctap.js';

describe('a store without the cctap tables', () => {
  it('cctap report says to migrate, exit 1; a query the engine refuses otherwise is not mistaken for it', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cctap-empty-'));
    const report = await cli(['report', 'daily', '--data', data, '--json'], {}, 60_000);
    expect(report.stderr.trim()).toBe(
      "cctap report: no cctap tables in the store; run 'cctap migrate' (or start 'cctap sink') first",
    );
    expect(report.code).toBe(1);
    // The same engine, a refusal of another code whose words also say "does not exist".
    const sql = await cli(
      ['sql', "SELECT 'table does not exist' AS t FROM system.one WHERE", '--data', data],
      {},
      60_000,
    );
    expect(sql.code).toBe(1);
    expect(sql.stderr).toMatch(/^cctap sql: .*Syntax error/m);
    expect(sql.stderr).not.toMatch(/no cctap tables/);
  });
});
