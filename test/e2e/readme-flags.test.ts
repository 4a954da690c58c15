/**
 * One declaration per command: the README's flag tables are written from the same declaration the command
 * parses and prints its `--help` from (`npm run docs:flags`). The check passes on README.md as committed;
 * a table edited by hand (or a flag changed without running the script) fails it, naming the command and
 * the command that fixes it; the script puts the table back.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { cli } from './support/run-cctap.js';

const SCRIPT = join(REPO_ROOT, 'apps/cctap/dist/docs/write-flag-tables.js');
const README = join(REPO_ROOT, 'README.md');

async function flagTables(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [SCRIPT, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

type Run = Awaited<ReturnType<typeof flagTables>>;

describe('README flag tables', () => {
  const readme = readFileSync(README, 'utf8');
  const row = '| `--format table\\|json` | | `table` | how the rows are printed |';
  const drifted = readme.replace(row, row.replace('`table` |', '`json` |'));
  const dir = mkdtempSync(join(tmpdir(), 'cctap-readme-'));
  const checked = join(dir, 'checked.md');
  const fixed = join(dir, 'fixed.md');
  const plain = join(dir, 'plain.md');
  let real: Run, check: Run, fix: Run, sql: Run, report: Run;

  // One start of each, side by side: each loads every command's declaration.
  beforeAll(async () => {
    writeFileSync(checked, drifted.replace('<!-- /flags:statusline -->', ''));
    writeFileSync(fixed, drifted);
    writeFileSync(plain, readme);
    [real, check, fix, sql, report] = await Promise.all([
      flagTables(['--check']),
      flagTables(['--check', '--readme', checked]),
      flagTables(['--readme', fixed]),
      cli(['sql', '--help'], {}, 60_000),
      cli(['report', 'blocks', '-h'], {}, 60_000),
      flagTables(['--readme', plain]),
    ]);
  }, 60_000);

  it("README.md holds every command's table as its declaration writes it", () => {
    expect(real.stderr).toBe('');
    expect(real.code).toBe(0);
  });

  it('a table that drifted fails the check naming the command and the fix, and the script writes it back', () => {
    expect(readme).toContain(row);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(
      /the flag table of 'cctap sql' differs from its declaration; run 'npm run docs:flags'/,
    );
    expect(check.stderr).toMatch(/no flag table of 'cctap statusline'/);
    expect(check.stderr).not.toMatch(/'cctap (up|report|prices)'/);
    expect(fix.code).toBe(0);
    expect(fix.stdout).toMatch(/^updated the flag table of 'cctap sql'$/m);
    // Written back as the declarations write README.md itself.
    expect(readFileSync(fixed, 'utf8')).toBe(readFileSync(plain, 'utf8'));
    expect(readFileSync(fixed, 'utf8')).toContain(row);
  });

  it("the table and the command's --help say the same of a flag", () => {
    expect(sql.code).toBe(0);
    expect(sql.stdout).toMatch(/^ {2}--format table\|json +how the rows are printed \(default table\)$/m);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/^ {2}-n, --session-length HOURS +blocks: block length \(default 5\)$/m);
    expect(readme).toContain('| `-n, --session-length HOURS` | | 5 | blocks: block length |');
  });
});
