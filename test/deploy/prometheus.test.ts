/**
 * deploy/prometheus: the config and the alerting rules pass `promtool check`, and the rules' unit tests
 * (deploy/prometheus/tests) pass `promtool test rules`: each alert fires on the series it is meant for.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/repo.js';

const promtool = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
const dir = join(REPO_ROOT, 'deploy/prometheus');

function run(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(promtool, args, { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!promtool)('deploy/prometheus with promtool', () => {
  it('prometheus.yml is a valid config and loads the rule files', () => {
    const r = run('check', 'config', 'prometheus.yml');
    expect(r.out).toMatch(/rules found/);
    expect(r.code, r.out).toBe(0);
  });

  it('the alerting rules are valid', () => {
    const r = run('check', 'rules', 'rules/cctap-pipeline.yml');
    expect(r.code, r.out).toBe(0);
  });

  it('the alerting rules fire as their unit tests expect', () => {
    const r = run('test', 'rules', 'tests/cctap-pipeline.test.yml');
    expect(r.code, r.out).toBe(0);
  });
});

it.runIf(!promtool)(
  "promtool is missing: install Debian's prometheus package (.ci/run does) to check deploy/prometheus",
  () => {
    console.warn('skipped deploy/prometheus checks: promtool not found on PATH (apt-get install -y prometheus)');
  },
);
