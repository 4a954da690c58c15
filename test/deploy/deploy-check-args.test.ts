/**
 * `npm run deploy:check`'s command line (scripts/deploy-check). The check itself builds images and runs
 * containers, minutes of work, and is run by hand (docs/deploy.md, "Checked here"); these are the answers it
 * gives before touching Docker.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const SCRIPT = join(REPO_ROOT, 'scripts/deploy-check/main.mjs');
const check = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });

describe('npm run deploy:check arguments', () => {
  it('--help prints the usage and every flag, exit 0', () => {
    const r = check('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run deploy:check/);
    for (const flag of ['--keep', '--rebuild-base', '--mirror URL', '--fixtures DIR']) expect(r.stdout).toContain(flag);
    expect(r.stderr).toBe('');
  });

  it('an unknown flag is one line and exit 2', () => {
    const r = check('--kep');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^deploy-check: .*'--kep'.*--help/)]);
  });

  it('a mirror that is no http(s) URL is refused, exit 2', () => {
    const r = check('--mirror', 'ftp://deb.example/debian');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('deploy-check: --mirror must be an http(s) URL, got "ftp://deb.example/debian"');
  });

  it('a positional argument is refused, exit 2', () => {
    const r = check('run');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^deploy-check: .*'run'/);
  });
});
