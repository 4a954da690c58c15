/**
 * Monitoring under the prometheus-operator, rendered with kustomize:
 * - the PrometheusRule of deploy/k8s/base holds exactly the groups of deploy/prometheus/rules/*.yml (one
 *   source for both stacks);
 * - every ServiceMonitor and the PrometheusRule carry the `release` label a kube-prometheus-stack Prometheus
 *   selects by, and the overlay patch docs/deploy.md shows changes it on all of them;
 * - every target gets the `cctap_service` the rules select by, with the values the rules expect;
 * - components/monitoring (a Prometheus and an Alertmanager of its own) is valid for the operator's schemas,
 *   selects the base's monitors and rules, alerts its Alertmanager, and routes with the Compose
 *   Alertmanager's file.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { k8sObjects, type K8sObject } from './support/kustomize.js';
import { NetworkPolicies } from './support/network-policy.js';
import { REPO_ROOT } from './support/repo.js';

const K8S = join(REPO_ROOT, 'deploy/k8s');
const RULES_DIR = join(REPO_ROOT, 'deploy/prometheus/rules');

interface Rule {
  alert?: string;
  expr: string;
}
interface RelabelConfig {
  sourceLabels?: string[];
  targetLabel?: string;
}
interface ServiceMonitorSpec {
  selector: { matchLabels: Record<string, string> };
  endpoints: { port: string; relabelings?: RelabelConfig[] }[];
}

function shippedGroups(): { name: string; rules: Rule[] }[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .flatMap(
      (f) => (parse(readFileSync(join(RULES_DIR, f), 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups,
    );
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

async function validate(o: K8sObject): Promise<void> {
  const path = o.apiVersion.startsWith('monitoring.coreos.com/')
    ? `@kubernetes-models/prometheus-operator/${o.apiVersion}/${o.kind}`
    : `kubernetes-models/${o.apiVersion}/${o.kind}`;
  const mod = (await import(path)) as Record<string, new (x: object) => { validate(): void }>;
  const Model = mod[o.kind];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  if (o.kind === 'Prometheus') {
    // The models' schema of storage.volumeClaimTemplate (an EmbeddedPersistentVolumeClaim) demands an apiVersion
    // and kind of its own, which the CRD does not have: check the claim as a PersistentVolumeClaim instead.
    const { volumeClaimTemplate, ...storage } = (
      o.spec as { storage: { volumeClaimTemplate: { spec: Record<string, unknown> } } }
    ).storage;
    await validate({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'x' },
      ...volumeClaimTemplate,
    });
    o = { ...o, spec: { ...o.spec, storage } };
  }
  const data =
    o.kind === 'Secret' && o.data
      ? Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s+/g, '')]))
      : undefined;
  new Model(data ? { ...o, data } : o).validate();
}

describe('prometheus-operator objects of deploy/k8s', () => {
  let objects: (t: string) => K8sObject[];
  const scratch = mkdtempSync(join(tmpdir(), 'cctap-k8s-monitoring-'));
  /** A kustomization in a scratch directory, rendered (kustomize refuses absolute resource paths). */
  function render(name: string, kustomization: (rel: (p: string) => string) => string): K8sObject[] {
    const dir = join(scratch, name);
    const rel = (p: string) => relative(dir, join(K8S, p));
    mkdirSync(dir);
    writeFileSync(join(dir, 'kustomization.yaml'), kustomization(rel));
    return objects(relative(K8S, dir));
  }

  beforeAll(() => {
    objects = k8sObjects();
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('the base PrometheusRule holds exactly the groups of deploy/prometheus/rules/*.yml', () => {
    const rules = objects('base').filter((o) => o.kind === 'PrometheusRule');
    expect(rules.map((r) => r.metadata.name)).toEqual(['cctap-pipeline']);
    expect(
      (rules[0]!.spec as { groups: unknown }).groups,
      'deploy/k8s/base/prometheus-rules.yaml is stale: run `node scripts/prometheus-rule.mjs`',
    ).toEqual(shippedGroups());
  });

  for (const t of ['base', 'overlays/dev', 'overlays/prod']) {
    it(`${t}: every ServiceMonitor and the PrometheusRule carry the release label`, () => {
      const monitoring = objects(t).filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'));
      expect(monitoring.map((o) => o.kind).sort()).toEqual([
        'PrometheusRule',
        'ServiceMonitor',
        'ServiceMonitor',
        'ServiceMonitor',
      ]);
      for (const o of monitoring)
        expect(o.metadata.labels?.release, `${o.kind}/${o.metadata.name}`).toBe('kube-prometheus-stack');
    });
  }

  it('the release patch of docs/deploy.md sets another value on all of them', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
    // The snippet as docs/deploy.md shows it (indented in a list item), with another release name.
    const snippet = /( *)```yaml\n(\1patches:\n\1 {2}- target: \{ group: monitoring\.coreos\.com \}[\s\S]*?)\1```/.exec(
      doc,
    );
    expect(snippet, 'docs/deploy.md shows the release patch').not.toBeNull();
    const patch = snippet![2]!.replace(new RegExp(`^${snippet![1]}`, 'gm'), '').replace('my-release', 'prom-team');
    const objs = render('release', (rel) => `resources:\n  - ${rel('base')}\n${patch}`);
    const monitoring = objs.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'));
    expect(monitoring).toHaveLength(4);
    for (const o of monitoring) expect(o.metadata.labels?.release, `${o.kind}/${o.metadata.name}`).toBe('prom-team');
  });

  it('every target gets cctap_service from its Service, with the values the rules select', () => {
    const objs = objects('base');
    const services = objs.filter((o) => o.kind === 'Service');
    const monitors = objs.filter((o) => o.kind === 'ServiceMonitor');
    const scraped = new Set<string>();
    for (const m of monitors) {
      const spec = m.spec as unknown as ServiceMonitorSpec;
      for (const e of spec.endpoints) {
        expect(e.relabelings, `${m.metadata.name}`).toContainEqual({
          sourceLabels: ['__meta_kubernetes_service_label_app_kubernetes_io_name'],
          targetLabel: 'cctap_service',
        });
        for (const s of services.filter((x) => matches(spec.selector.matchLabels, x.metadata.labels))) {
          const ports = (s.spec as { ports: { name: string }[] }).ports;
          if (ports.some((p) => p.name === e.port)) scraped.add(s.metadata.labels!['app.kubernetes.io/name']!);
        }
      }
    }
    expect([...scraped].sort()).toEqual(['alerter', 'analyzer', 'clickhouse', 'nats', 'sink', 'validator']);
    // The values the rules name: every one must be a target's.
    const named = new Set<string>();
    for (const r of shippedGroups().flatMap((g) => g.rules)) {
      for (const m of r.expr.matchAll(/cctap_service=~?"([^"]+)"/g)) for (const v of m[1]!.split('|')) named.add(v);
    }
    expect([...named].sort()).toEqual(['alerter', 'analyzer', 'nats', 'sink', 'validator']);
    for (const v of named) expect(scraped, v).toContain(v);
  });

  describe('components/monitoring on the dev overlay', () => {
    let objs: K8sObject[] = [];
    beforeAll(() => {
      objs = render('component', (rel) =>
        [
          'namespace: cctap-mon',
          'resources:',
          `  - ${rel('overlays/dev')}`,
          'components:',
          `  - ${rel('components/monitoring')}`,
          '',
        ].join('\n'),
      );
    });

    it('every object is valid for its kind', async () => {
      const own = objs.filter((o) =>
        ['Prometheus', 'Alertmanager', 'ServiceAccount', 'Role', 'RoleBinding', 'Secret', 'NetworkPolicy'].includes(
          o.kind,
        ),
      );
      expect(own.length).toBeGreaterThan(6);
      for (const o of own) {
        try {
          await validate(o);
        } catch (err) {
          throw new Error(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`, { cause: err });
        }
      }
    });

    it('the Prometheus selects the ServiceMonitors and the PrometheusRule, and alerts the Alertmanager', () => {
      const prom = objs.find((o) => o.kind === 'Prometheus')!;
      const spec = prom.spec as {
        serviceMonitorSelector: { matchLabels: Record<string, string> };
        ruleSelector: { matchLabels: Record<string, string> };
        serviceAccountName: string;
        alerting: { alertmanagers: { name: string; port: string }[] };
      };
      for (const o of objs.filter((x) => x.kind === 'ServiceMonitor'))
        expect(matches(spec.serviceMonitorSelector.matchLabels, o.metadata.labels), o.metadata.name).toBe(true);
      const rule = objs.find((o) => o.kind === 'PrometheusRule')!;
      expect(matches(spec.ruleSelector.matchLabels, rule.metadata.labels)).toBe(true);
      // The operator's governing Service of every Alertmanager, with its port `web`.
      expect(spec.alerting.alertmanagers).toEqual([{ name: 'alertmanager-operated', port: 'web' }]);
      expect(objs.some((o) => o.kind === 'Alertmanager')).toBe(true);
      const binding = objs.find((o) => o.kind === 'RoleBinding' && o.metadata.name === spec.serviceAccountName)!;
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: spec.serviceAccountName, namespace: 'cctap-mon' },
      ]);
      expect(objs.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === spec.serviceAccountName)).toBe(true);
    });

    it('its NetworkPolicies let Prometheus scrape and alert, the Alertmanager deliver, Grafana query', () => {
      /** The labels of the pods `kind`/`name` runs (the operator's pods carry their object's podMetadata). */
      const pod = (kind: string, name: string): Record<string, string> => {
        const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
        expect(o, `${kind}/${name}`).toBeDefined();
        const spec = o!.spec as { template?: { metadata: { labels: Record<string, string> } } };
        const podMetadata = (o!.spec as { podMetadata?: { labels: Record<string, string> } }).podMetadata;
        return (spec.template?.metadata.labels ?? podMetadata?.labels)!;
      };
      const ns = objs.find((o) => o.kind === 'Namespace')?.metadata.labels ?? {};
      const policies = new NetworkPolicies(objs, ns);
      const prometheus = pod('Prometheus', 'cctap');
      const alertmanager = pod('Alertmanager', 'cctap');
      const own = (labels: Record<string, string>) => ({ kind: 'pod' as const, labels, namespace: 'own' as const });
      for (const [name, kind, port] of [
        ['cctap-validator', 'Deployment', 9464],
        ['cctap-sink', 'Deployment', 9464],
        ['cctap-nats', 'StatefulSet', 7777],
        ['cctap-clickhouse', 'StatefulSet', 9363],
      ] as const)
        expect(policies.allows(prometheus, own(pod(kind, name)), port), `scrape ${name}:${port}`).toBe(true);
      expect(policies.allows(prometheus, own(alertmanager), 9093), 'Prometheus to Alertmanager').toBe(true);
      expect(policies.allows(prometheus, { kind: 'ip', ip: '10.96.0.1' }, 443), 'Prometheus to the API').toBe(true);
      expect(policies.allows(alertmanager, { kind: 'ip', ip: '203.0.113.7' }, 443), 'webhook over HTTPS').toBe(true);
      const grafana = {
        kind: 'pod' as const,
        labels: { app: 'grafana' },
        namespace: { labels: { 'cctap.io/monitoring': 'true' } },
      };
      expect(policies.admitsIngress(prometheus, grafana, 9090), 'Grafana to Prometheus').toBe(true);
      // And no more than that.
      expect(policies.allows(pod('Deployment', 'cctap-validator'), own(alertmanager), 9093)).toBe(false);
      expect(policies.allows(pod('Deployment', 'cctap-validator'), own(prometheus), 9090)).toBe(false);
      expect(policies.allows(alertmanager, { kind: 'ip', ip: '203.0.113.7' }, 80)).toBe(false);
      const other = { kind: 'pod' as const, labels: { app: 'x' }, namespace: { labels: {} } };
      expect(policies.admitsIngress(prometheus, other, 9090)).toBe(false);
    });

    it("the Alertmanager's config Secret is deploy/alertmanager/alertmanager.yml", () => {
      const am = objs.find((o) => o.kind === 'Alertmanager')!;
      const name = (am.spec as { configSecret: string }).configSecret;
      const secret = objs.find((o) => o.kind === 'Secret' && o.metadata.name === name);
      expect(secret, `Secret ${name}`).toBeDefined();
      const config = Buffer.from((secret!.data as Record<string, string>)['alertmanager.yaml']!, 'base64').toString();
      expect(config).toBe(readFileSync(join(REPO_ROOT, 'deploy/alertmanager/alertmanager.yml'), 'utf8'));
    });
  });
});
