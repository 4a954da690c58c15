/**
 * deploy/prometheus: the config and the alerting rules pass `promtool check`, and the rules' unit tests
 * (deploy/prometheus/tests) pass `promtool test rules`: each alert fires on the series it is meant for.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../support/tools.js';
import { REPO_ROOT } from './support/repo.js';

const dir = join(REPO_ROOT, 'deploy/prometheus');
let promtool = '';

function run(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(promtool, args, { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('deploy/prometheus with promtool', () => {
  beforeAll(() => {
    promtool = requireTool(
      'promtool',
      "install Debian's prometheus package (apt-get install -y prometheus; .ci/run does)",
    ).path;
  });

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
