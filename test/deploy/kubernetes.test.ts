/**
 * deploy/k8s: the base and every overlay render with kustomize, and every rendered object is valid against
 * the Kubernetes OpenAPI schema of its kind (kubernetes-models) or, for ServiceMonitors, the
 * prometheus-operator CRD schema. Plus what schemas cannot say: probes, resources, PDBs, references.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { k8sObjects, type K8sObject } from './support/kustomize.js';
import { REPO_ROOT } from './support/repo.js';

async function modelClass(apiVersion: string, kind: string): Promise<new (o: object) => { validate(): void }> {
  const path =
    apiVersion === 'monitoring.coreos.com/v1'
      ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`
      : `kubernetes-models/${apiVersion}/${kind}`;
  const mod = (await import(path)) as Record<string, new (o: object) => { validate(): void }>;
  const cls = mod[kind];
  if (!cls) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return cls;
}

async function validate(o: K8sObject): Promise<void> {
  const Model = await modelClass(o.apiVersion, o.kind);
  // kustomize wraps long base64 values over several lines; the API server's decoder skips the newlines
  // (Go's base64 does), the schema's "byte" format does not.
  const data =
    o.kind === 'Secret' && o.data
      ? Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s+/g, '')]))
      : undefined;
  new Model(data ? { ...o, data } : o).validate();
}

const targets = ['base', 'overlays/dev', 'overlays/prod'];

describe('deploy/k8s rendered with kustomize', () => {
  let objects: (t: string) => K8sObject[];
  beforeAll(() => {
    objects = k8sObjects();
  });

  it('the schema check rejects a broken object (it can fail)', async () => {
    const bad = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'a', image: 1 }] } } },
    };
    await expect(validate(bad as unknown as K8sObject)).rejects.toThrow(/image/);
    const badMonitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'x' },
      spec: { selector: {}, endpoints: [{ port: 'metrics', interval: 'often' }] },
    };
    await expect(validate(badMonitor as unknown as K8sObject)).rejects.toThrow(/interval/);
  });

  for (const t of targets) {
    it(`${t}: every object is valid for its kind`, async () => {
      const objs = objects(t);
      expect(objs.length).toBeGreaterThan(20);
      for (const o of objs) {
        try {
          await validate(o);
        } catch (err) {
          throw new Error(`${t}: ${o.kind}/${o.metadata.name}: ${(err as Error).message}`, { cause: err });
        }
      }
      const kinds = new Set(objs.map((o) => o.kind));
      for (const k of [
        'StatefulSet',
        'Deployment',
        'Job',
        'Service',
        'ConfigMap',
        'PodDisruptionBudget',
        'ServiceMonitor',
        'NetworkPolicy',
      ])
        expect(kinds, `${t} has a ${k}`).toContain(k);
    });

    it(`${t}: each service Deployment has probes, resources, a non-root user and a PDB`, () => {
      const objs = objects(t);
      const deployments = objs.filter((o) => o.kind === 'Deployment');
      expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
        'cctap-alerter',
        'cctap-analyzer',
        'cctap-sink',
        'cctap-validator',
      ]);
      for (const d of deployments) {
        const pod = (
          d.spec as {
            template: {
              spec: {
                securityContext: { runAsNonRoot: boolean };
                containers: {
                  args: string[];
                  livenessProbe: { httpGet: { path: string } };
                  readinessProbe: { httpGet: { path: string } };
                  resources: { requests: object; limits: object };
                }[];
              };
            };
          }
        ).template.spec;
        const c = pod.containers[0]!;
        expect(c.args).toEqual([d.metadata.name.replace('cctap-', '')]);
        expect(c.livenessProbe.httpGet.path).toBe('/livez');
        expect(c.readinessProbe.httpGet.path).toBe('/readyz');
        expect(c.resources.requests).toBeDefined();
        expect(c.resources.limits).toBeDefined();
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        const pdb = objs.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === d.metadata.name);
        expect(pdb, `${d.metadata.name} PDB`).toBeDefined();
      }
      const jobs = objs
        .filter((o) => o.kind === 'Job')
        .map((j) => j.metadata.name)
        .sort();
      expect(jobs).toEqual(['cctap-migrate', 'cctap-provision']);
    });
  }

  it('overlays/dev: every ConfigMap and non-optional Secret a pod refers to is part of the build', () => {
    const objs = objects('overlays/dev');
    const names = (kind: string) => new Set(objs.filter((o) => o.kind === kind).map((o) => o.metadata.name));
    const [configMaps, secrets] = [names('ConfigMap'), names('Secret')];
    const refs: { kind: string; name: string; optional?: boolean }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      const r = v as Record<string, unknown>;
      for (const [k, val] of Object.entries(r)) {
        const x = val as { name?: string; secretName?: string; optional?: boolean };
        if ((k === 'configMapRef' || k === 'configMap' || k === 'configMapKeyRef') && x.name)
          refs.push({ kind: 'ConfigMap', name: x.name, ...(x.optional ? { optional: true } : {}) });
        if ((k === 'secretRef' || k === 'secretKeyRef') && x.name)
          refs.push({ kind: 'Secret', name: x.name, ...(x.optional ? { optional: true } : {}) });
        if (k === 'secret' && x.secretName) refs.push({ kind: 'Secret', name: x.secretName });
        walk(val);
      }
    };
    objs.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind)).forEach((o) => walk(o.spec));
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs.filter((x) => !x.optional))
      expect(r.kind === 'ConfigMap' ? configMaps : secrets, `${r.kind} ${r.name}`).toContain(r.name);
  });

  it('overlays/prod: stateless services run two replicas with minAvailable 1', () => {
    const objs = objects('overlays/prod');
    for (const n of ['cctap-validator', 'cctap-sink', 'cctap-alerter']) {
      expect(
        (objs.find((o) => o.kind === 'Deployment' && o.metadata.name === n)!.spec as { replicas: number }).replicas,
      ).toBe(2);
      expect(
        (objs.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === n)!.spec as { minAvailable: number })
          .minAvailable,
      ).toBe(1);
    }
    expect(objs.every((o) => o.kind === 'Namespace' || o.metadata.namespace === 'cctap')).toBe(true);
  });
});

describe('copies kustomize needs inside its root stay equal to their originals', () => {
  it.each([
    ['deploy/k8s/base/nats-cluster.conf', 'deploy/nats/nats-cluster.conf'],
    ['deploy/k8s/base/cctap.xml', 'deploy/clickhouse/config.d/cctap.xml'],
    ['deploy/k8s/overlays/dev/secrets/auth.conf', 'deploy/nats/no-auth/auth.conf'],
  ])('%s == %s', (copy, original) => {
    expect(readFileSync(join(REPO_ROOT, copy), 'utf8')).toBe(readFileSync(join(REPO_ROOT, original), 'utf8'));
  });
});
