/**
 * The command every banner and the README print, run exactly as printed from the repository root after the
 * README's set-up: `npx --no-install cctap …` must resolve to this repository's CLI (never the registry).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { childEnv } from './support/run-cctap.js';

const npx = (args: string[]) =>
  spawnSync('npx', ['--no-install', 'cctap', ...args], { cwd: REPO_ROOT, env: childEnv(), encoding: 'utf8' });

describe('the front door', () => {
  it('npx --no-install cctap --version answers from the repository root with the CLI package version', () => {
    const r = npx(['--version']);
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/cctap/package.json'), 'utf8')) as {
      version: string;
    };
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`cctap ${version}`);
  });

  it('npx cctap runs the same command the banners name (help lists the commands they print)', () => {
    const r = npx(['help']);
    expect(r.status, r.stderr).toBe(0);
    for (const c of ['up', 'report', 'sql', 'prices']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    // The link npm makes is to a file that exists before the build (bin/cctap.js), so `npm ci` can mark it executable.
    expect(execFileSync('readlink', [join(REPO_ROOT, 'node_modules/.bin/cctap')], { encoding: 'utf8' }).trim()).toBe(
      '../@cctap/cli/bin/cctap.js',
    );
  });

  it('an unknown flag is one line naming it and the command, exit 2, no stack trace', () => {
    const r = npx(['migrate', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      "cctap migrate: unknown option '--bogus'. Run 'cctap migrate --help' for its options.",
    );
  });
});
