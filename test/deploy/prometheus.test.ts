/**
 * deploy/prometheus: the config and the alerting rules pass `promtool check`, and the rules' unit tests
 * (deploy/prometheus/tests) pass `promtool test rules`: each alert fires on the series it is meant for.
 * deploy/alertmanager: the config passes `amtool check-config`. Neither the rules nor the dashboards select
 * targets by job name (the prometheus-operator's jobs are named differently from Compose's).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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

  it('the Alertmanager config is valid', () => {
    const amtool = requireTool(
      'amtool',
      "install Debian's prometheus-alertmanager package (apt-get install -y prometheus-alertmanager; .ci/run does)",
    ).path;
    const r = spawnSync(amtool, ['check-config', join(REPO_ROOT, 'deploy/alertmanager/alertmanager.yml')], {
      encoding: 'utf8',
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });
});

describe('NATS exporters: one per server, in both Compose stacks', () => {
  interface ComposeService {
    command?: string[];
    volumes?: string[];
  }
  const compose = (f: string) =>
    (parse(readFileSync(join(REPO_ROOT, f), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> })
      .services;
  const targets = (f: string) =>
    (parse(readFileSync(join(dir, 'targets', f), 'utf8')) as { targets: string[]; labels: object }[]).flatMap((g) => {
      expect(g.labels).toEqual({ cctap_service: 'nats' });
      return g.targets;
    });
  /** The NATS server each exporter service watches: its monitoring URL's host. */
  const watched = (services: Record<string, ComposeService>, target: string) => {
    const s = services[target.split(':')[0]!];
    expect(s, target).toBeDefined();
    return new URL(s!.command!.at(-1)!).hostname;
  };

  it('single server: targets/nats.yml names the exporter of nats', () => {
    const services = compose('docker-compose.yml');
    expect(targets('nats.yml').map((t) => watched(services, t))).toEqual(['nats']);
  });

  it('cluster: docker-compose.cluster.yml mounts targets/nats-cluster.yml, an exporter for each node', () => {
    const base = compose('docker-compose.yml');
    const cluster = compose('docker-compose.cluster.yml');
    const services = { ...base, ...cluster };
    expect(cluster.prometheus?.volumes).toContain(
      './deploy/prometheus/targets/nats-cluster.yml:/etc/prometheus/targets/nats.yml:ro',
    );
    // The base mounts deploy/prometheus at /etc/prometheus: the cluster's list replaces the single one there.
    expect(base.prometheus?.volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    expect(targets('nats-cluster.yml').map((t) => watched(services, t))).toEqual(['nats', 'nats-2', 'nats-3']);
  });

  it('prometheus.yml is valid with the cluster list in place', () => {
    const copy = mkdtempSync(join(tmpdir(), 'cctap-prom-cluster-'));
    try {
      cpSync(dir, copy, { recursive: true });
      cpSync(join(dir, 'targets/nats-cluster.yml'), join(copy, 'targets/nats.yml'));
      const bin = requireTool('promtool', "install Debian's prometheus package (apt-get install -y prometheus)").path;
      const r = spawnSync(bin, ['check', 'config', 'prometheus.yml'], { cwd: copy, encoding: 'utf8' });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('rules and dashboards select targets by cctap_service, never by job', () => {
  const exprs: [string, string][] = [];
  for (const f of readdirSync(join(dir, 'rules')).filter((x) => x.endsWith('.yml'))) {
    const doc = parse(readFileSync(join(dir, 'rules', f), 'utf8')) as { groups: { rules: { expr: string }[] }[] };
    for (const r of doc.groups.flatMap((g) => g.rules)) exprs.push([f, r.expr]);
  }
  const dashboards = join(REPO_ROOT, 'deploy/grafana/dashboards');
  for (const f of readdirSync(dashboards).filter((x) => x.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(join(dashboards, f), 'utf8')) as { panels: { targets: { expr?: string }[] }[] };
    for (const t of d.panels.flatMap((p) => p.targets)) if (t.expr) exprs.push([f, t.expr]);
  }

  it('finds the expressions, some selecting by cctap_service', () => {
    expect(exprs.length).toBeGreaterThan(20);
    expect(exprs.filter(([, e]) => e.includes('cctap_service')).length).toBeGreaterThan(3);
  });

  it('no expression names a job', () => {
    expect(exprs.filter(([, e]) => /\bjob\s*(=|!=|=~|!~)/.test(e))).toEqual([]);
  });
});
