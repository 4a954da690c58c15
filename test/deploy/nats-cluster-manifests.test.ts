/**
 * The NATS cluster as shipped: deploy/k8s (rendered with kustomize, base and overlays) and the Compose
 * cluster file run three JetStream nodes with names of their own, routes on 6222 to every node, clients
 * that know all three servers, and provision with three replicas and stream sizes that fit each node's store.
 * test/kit/nats-cluster.test.ts starts the same config file as a real three-node cluster.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { STREAM_SHARE, streamBytesFor } from '@cctap/kit/internal';
import { k8sObjects, type K8sObject } from './support/kustomize.js';
import { REPO_ROOT } from './support/repo.js';

interface Container {
  name: string;
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: Record<string, { name?: string; key?: string; fieldPath?: string }>;
  }[];
  ports?: { name: string; containerPort: number }[];
}
interface PodSpec {
  containers: Container[];
  affinity?: { podAntiAffinity?: Record<string, unknown> };
}
interface StatefulSetSpec {
  replicas: number;
  serviceName: string;
  template: { spec: PodSpec };
  volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[];
}

/** A Kubernetes quantity (20Gi, 500M, 1000) in bytes. */
function quantity(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? unit[m[2] as keyof typeof unit] : 1);
}

const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const clusterConf = readFileSync(join(REPO_ROOT, 'deploy/nats/nats-cluster.conf'), 'utf8');

describe('deploy/nats/nats-cluster.conf', () => {
  it('takes its name, routes and storage from the environment and listens for routes on 6222', () => {
    expect(clusterConf).toMatch(/^server_name: \$SERVER_NAME$/m);
    expect(clusterConf).toMatch(/cluster \{[^}]*port: 6222[^}]*routes: \$NATS_ROUTES[^}]*\}/s);
    expect(clusterConf).toMatch(/jetstream \{[^}]*max_file_store: \$JS_MAX_FILE_STORE[^}]*\}/s);
  });
});

describe('deploy/k8s: the NATS cluster', () => {
  let objects: (t: string) => K8sObject[];
  beforeAll(() => {
    objects = k8sObjects();
  });
  const find = (t: string, kind: string, name: string) => {
    const o = objects(t).find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`${t}: no ${kind}/${name}`);
    return o;
  };

  for (const t of ['base', 'overlays/dev', 'overlays/prod']) {
    it(`${t}: three nodes named by their pod, routed through the headless Service on 6222`, () => {
      const sts = find(t, 'StatefulSet', 'cctap-nats').spec as unknown as StatefulSetSpec;
      expect(sts.replicas).toBe(3);
      const nats = sts.template.spec.containers.find((c) => c.name === 'nats')!;
      expect(nats.args).toContain('/etc/nats/nats-cluster.conf');
      expect(envOf(nats, 'SERVER_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
      expect(nats.ports).toContainEqual({ name: 'cluster', containerPort: 6222 });
      const routes = envOf(nats, 'NATS_ROUTES')!.value!;
      const pods = [0, 1, 2].map((i) => `cctap-nats-${i}.${sts.serviceName}`);
      expect(routes.match(/nats-route:\/\/[^\s,\]]+/g)).toEqual(pods.map((p) => `nats-route://${p}:6222`));
      const headless = find(t, 'Service', sts.serviceName).spec as {
        clusterIP: string;
        ports: { port: number }[];
      };
      expect(headless.clusterIP).toBe('None');
      expect(headless.ports.map((p) => p.port)).toContain(6222);
      // The cluster port is open to the NATS pods, and to them only.
      const routePolicy = objects(t).find(
        (o) =>
          o.kind === 'NetworkPolicy' &&
          JSON.stringify(o.spec).includes('"port":6222') &&
          JSON.stringify(o.spec).includes('"from"'),
      );
      expect(routePolicy, 'a NetworkPolicy admitting routes').toBeDefined();

      // Every client gets every node.
      const env = find(t, 'ConfigMap', objects(t).find((o) => o.metadata.name.startsWith('cctap-env'))!.metadata.name)
        .data as { NATS_URL: string };
      expect(env.NATS_URL.split(',')).toEqual(pods.map((p) => `nats://${p}:4222`));

      const cm = objects(t).find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('cctap-nats-config'))!;
      expect((cm.data as Record<string, string>)['nats-cluster.conf']).toBe(clusterConf);
    });

    it(`${t}: anti-affinity and a PDB that keeps the JetStream quorum`, () => {
      const sts = find(t, 'StatefulSet', 'cctap-nats').spec as unknown as StatefulSetSpec;
      const anti = sts.template.spec.affinity?.podAntiAffinity;
      expect(anti, 'pod anti-affinity').toBeDefined();
      expect(JSON.stringify(anti)).toContain('kubernetes.io/hostname');
      if (t === 'overlays/prod') expect(anti).toHaveProperty('requiredDuringSchedulingIgnoredDuringExecution');
      const pdb = find(t, 'PodDisruptionBudget', 'cctap-nats').spec as { maxUnavailable: number };
      expect(pdb.maxUnavailable).toBe(1);
    });

    it(`${t}: max_file_store fits the volume, provision gets the same number, the streams fit it`, () => {
      const sts = find(t, 'StatefulSet', 'cctap-nats').spec as unknown as StatefulSetSpec;
      const volume = quantity(sts.volumeClaimTemplates[0]!.spec.resources.requests.storage);
      const sizing = objects(t).find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('cctap-nats-sizing'))!;
      const store = Number((sizing.data as Record<string, string>).JS_MAX_FILE_STORE);
      // Below the volume, with room for the filesystem and compaction, but most of it.
      expect(store).toBeLessThanOrEqual(volume * 0.95);
      expect(store).toBeGreaterThanOrEqual(volume * 0.75);

      const nats = sts.template.spec.containers.find((c) => c.name === 'nats')!;
      expect(envOf(nats, 'JS_MAX_FILE_STORE')?.valueFrom?.configMapKeyRef).toEqual({
        name: sizing.metadata.name,
        key: 'JS_MAX_FILE_STORE',
      });
      const job = find(t, 'Job', 'cctap-provision').spec as { template: { spec: PodSpec } };
      const provision = job.template.spec.containers[0]!;
      expect(provision.args).toEqual(['provision', '--replicas', '3', '--storage', '$(JS_MAX_FILE_STORE)']);
      expect(envOf(provision, 'JS_MAX_FILE_STORE')?.valueFrom?.configMapKeyRef).toEqual({
        name: sizing.metadata.name,
        key: 'JS_MAX_FILE_STORE',
      });
      // Every node holds a copy of every R3 stream: their reservations together fit one node's store.
      const streams = Object.values(streamBytesFor(store)).reduce((a, b) => a + b, 0);
      expect(streams).toBeLessThanOrEqual(store * STREAM_SHARE);
      expect(streams).toBeGreaterThan(store * STREAM_SHARE * 0.95);
    });
  }
});

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
}

describe('docker-compose.cluster.yml', () => {
  const base = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const cluster = parse(readFileSync(join(REPO_ROOT, 'docker-compose.cluster.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };
  const nodes = ['nats', 'nats-2', 'nats-3'];

  it('is valid against the Compose Specification schema', () => {
    const { $schema: _draft, ...schema } = JSON.parse(
      readFileSync(join(REPO_ROOT, 'test/deploy/schemas/compose-spec.json'), 'utf8'),
    ) as Record<string, unknown>;
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    expect(validate(cluster), JSON.stringify(validate.errors)).toBe(true);
    // Every service it changes exists in docker-compose.yml, but the nodes it adds and their exporters.
    for (const name of Object.keys(cluster.services))
      if (!['nats-2', 'nats-3', 'nats-exporter-2', 'nats-exporter-3'].includes(name))
        expect(Object.keys(base.services), name).toContain(name);
  });

  it('runs three nodes with names of their own, routes to all of them, and no published route port', () => {
    const names = nodes.map((n) => cluster.services[n]!.environment!.SERVER_NAME);
    expect(new Set(names).size).toBe(3);
    for (const n of nodes) {
      const s = cluster.services[n]!;
      expect(s.command).toEqual(['-c', '/etc/nats/nats-cluster.conf']);
      expect(s.healthcheck, `${n} healthcheck`).toBeDefined();
      expect(s.environment!.NATS_ROUTES!.match(/nats-route:\/\/[^\s,\]]+/g)).toEqual(
        nodes.map((x) => `nats-route://${x}:6222`),
      );
      expect(s.environment!.JS_MAX_FILE_STORE).toMatch(/^\$\{CCTAP_NATS_STORAGE:-\d+\}$/);
      const mounts = [...(s.volumes ?? []), ...(n === 'nats' ? (base.services.nats!.volumes ?? []) : [])];
      expect(mounts).toContain('./deploy/nats/nats-cluster.conf:/etc/nats/nats-cluster.conf:ro');
      expect(
        mounts.some((v) => v.endsWith(':/etc/nats/auth:ro')),
        `${n} auth`,
      ).toBe(true);
      expect(
        mounts.some((v) => /-data:\/data$/.test(v)),
        `${n} data volume`,
      ).toBe(true);
      for (const p of [...(s.ports ?? []), ...(n === 'nats' ? (base.services.nats!.ports ?? []) : [])])
        expect(p).not.toMatch(/6222/);
    }
    for (const v of ['nats-2-data', 'nats-3-data']) expect(Object.keys(cluster.volumes)).toContain(v);
  });

  it('points every service at all three servers and provisions three replicas sized to a node', () => {
    const urls = nodes.map((n) => `nats://${n}:4222`).join(',');
    for (const [name, s] of Object.entries(base.services)) {
      if (!s.environment?.NATS_URL && name !== 'collector') continue;
      expect(cluster.services[name]?.environment?.NATS_URL, name).toBe(urls);
    }
    const provision = cluster.services.provision!;
    expect(provision.command).toEqual([
      'provision',
      '--replicas',
      '3',
      '--storage',
      '${CCTAP_NATS_STORAGE:-19327352832}',
    ]);
    expect(cluster.services.nats!.environment!.JS_MAX_FILE_STORE).toBe('${CCTAP_NATS_STORAGE:-19327352832}');
    for (const n of ['nats-2', 'nats-3']) expect(provision.depends_on?.[n]?.condition).toBe('service_healthy');
  });
});
