/**
 * deploy/k8s: the base and every overlay render with kustomize, and every rendered object is valid against
 * the Kubernetes OpenAPI schema of its kind (kubernetes-models) or, for ServiceMonitors, the
 * prometheus-operator CRD schema (cert-manager's and KEDA's for the components' objects). Plus what schemas
 * cannot say: probes, resources, PDBs, references, pinned images, Pod Security "restricted" for every pod, the
 * NetworkPolicies each workload's traffic needs (and no more), and how the tls and keda components fit.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMERS, topology } from '@cctap/events';
import { partitionConsumerName } from '@cctap/analyzer/internal';
import { k8sObjects, withComponents, type K8sObject } from './support/kustomize.js';
import { NetworkPolicies, type Endpoint } from './support/network-policy.js';
import { restrictedViolations } from './support/pod-security.js';
import { REPO_ROOT } from './support/repo.js';
import { workloads, containersOf, type PodSpec } from './support/workloads.js';

async function modelClass(apiVersion: string, kind: string): Promise<new (o: object) => { validate(): void }> {
  const crds: Record<string, string> = {
    'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator',
    'cert-manager.io/v1': '@kubernetes-models/cert-manager',
    'keda.sh/v1alpha1': '@kubernetes-models/keda',
  };
  const path = crds[apiVersion]
    ? `${crds[apiVersion]}/${apiVersion}/${kind}`
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
    ['deploy/k8s/components/tls/nats-cluster-tls.conf', 'deploy/nats/nats-cluster-tls.conf'],
    ['deploy/k8s/components/tls/clickhouse-tls.xml', 'deploy/clickhouse/tls/tls.xml'],
  ])('%s == %s', (copy, original) => {
    expect(readFileSync(join(REPO_ROOT, copy), 'utf8')).toBe(readFileSync(join(REPO_ROOT, original), 'utf8'));
  });
});

/** prod with both optional components, rendered as an overlay that lists them would be. */
const COMPOSED = 'overlays/prod + components/tls + components/keda';
const HARDENED = ['base', 'overlays/dev', 'overlays/prod', 'overlays/clickhouse-replicated', COMPOSED];

/** A tag other than latest, or a digest: `name`, `name:latest` and `host:5000/name` are not pinned. */
function imagePinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag !== '' && tag !== 'latest';
}

/** A certificate for `names` is valid for `host`: equal, or a wildcard for exactly its first label. */
const covers = (names: readonly string[], host: string) =>
  names.some((n) => n === host || (n.startsWith('*.') && host.slice(host.indexOf('.') + 1) === n.slice(2)));

type Spec = Record<string, unknown>;
const specOf = (o: K8sObject) => o.spec as Spec;

describe('deploy/k8s hardening: images, Pod Security, NetworkPolicies, TLS and autoscaling', () => {
  let render: (t: string) => K8sObject[];
  let composedDir: string;
  const objects = (t: string) => render(t === COMPOSED ? composedDir : t);
  const configMap = (objs: K8sObject[], prefix: string) =>
    objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(prefix))!.data as Record<string, string>;

  beforeAll(() => {
    render = k8sObjects();
    composedDir = withComponents('overlays/prod', ['components/tls', 'components/keda'], 'cctap');
  });
  afterAll(() => rmSync(composedDir, { recursive: true, force: true }));

  it(`${COMPOSED}: every object is valid for its kind (cert-manager and KEDA schemas too)`, async () => {
    const objs = objects(COMPOSED);
    for (const o of objs) {
      try {
        await validate(o);
      } catch (err) {
        throw new Error(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`, { cause: err });
      }
    }
    const kinds = objs.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'Certificate')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'ScaledObject')).toHaveLength(3);
  });

  describe('images', () => {
    it('the pin check can fail', () => {
      for (const bad of ['cctap', 'ghcr.io/example/cctap:latest', 'registry:5000/cctap', 'nats:'])
        expect(imagePinned(bad), bad).toBe(false);
      for (const good of ['nats:2.11-alpine', 'registry:5000/cctap:0.1.0', `cctap@sha256:${'a'.repeat(64)}`])
        expect(imagePinned(good), good).toBe(true);
    });

    for (const t of ['overlays/prod', 'overlays/clickhouse-replicated', COMPOSED]) {
      it(`${t}: every container runs a pinned image, cctap's at prod's tag`, () => {
        const containers = workloads(objects(t)).flatMap((w) => containersOf(w.pod).map((c) => ({ w, c })));
        expect(containers.filter(({ c }) => !imagePinned(c.image)).map(({ w, c }) => `${w.owner}: ${c.image}`)).toEqual(
          [],
        );
        const prod = parse(readFileSync(join(REPO_ROOT, 'deploy/k8s/overlays/prod/kustomization.yaml'), 'utf8')) as {
          images: { newTag: string }[];
        };
        const cctap = containers.filter(({ c }) => c.image.includes('/cctap'));
        expect(cctap.length).toBeGreaterThanOrEqual(6);
        for (const { w, c } of cctap) expect(c.image, w.owner).toMatch(new RegExp(`:${prod.images[0]!.newTag}$`));
      });
    }
  });

  describe('Pod Security "restricted"', () => {
    it('the check can fail', () => {
      const bad: PodSpec = {
        hostNetwork: true,
        securityContext: { runAsUser: 0 },
        containers: [
          { name: 'c', image: 'x:1', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } },
        ],
        volumes: [{ name: 'h', hostPath: { path: '/' } }],
      };
      expect(restrictedViolations(bad)).toEqual([
        'host namespaces',
        'volume h: type hostPath not allowed',
        'pod runAsUser 0',
        'pod: no fsGroup',
        'container c: privileged',
        'container c: allowPrivilegeEscalation is not false',
        'container c: runAsNonRoot is not true',
        'container c: runAsUser 0',
        'container c: seccompProfile unset',
        'container c: capabilities not dropped (ALL)',
        'container c: adds capabilities SYS_ADMIN',
        'container c: root filesystem is writable',
      ]);
    });

    for (const t of HARDENED) {
      it(`${t}: every pod meets it, with a read-only root and an emptyDir /tmp for cctap`, () => {
        const ws = workloads(objects(t));
        expect(ws.length).toBeGreaterThanOrEqual(8);
        expect(ws.flatMap((w) => restrictedViolations(w.pod).map((v) => `${w.owner}: ${v}`))).toEqual([]);
        for (const w of ws)
          for (const c of w.pod.containers.filter((x) => x.image.includes('/cctap'))) {
            const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
            expect(tmp && w.pod.volumes?.find((v) => v.name === tmp.name)?.emptyDir, `${w.owner} /tmp`).toBeDefined();
          }
      });
    }

    it('overlays/dev and overlays/prod: the namespace enforces it', () => {
      for (const t of ['overlays/dev', 'overlays/prod']) {
        const objs = objects(t);
        const ns = objs.filter((o) => o.kind === 'Namespace');
        expect(ns.map((n) => n.metadata.name)).toEqual([objs.find((o) => o.kind === 'Deployment')!.metadata.namespace]);
        expect(ns[0]!.metadata.labels).toMatchObject({
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        });
      }
    });
  });

  describe('NetworkPolicies', () => {
    const DNS: Endpoint = {
      kind: 'pod',
      labels: { 'k8s-app': 'kube-dns' },
      namespace: { labels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    };
    const INTERNET: Endpoint = { kind: 'ip', ip: '203.0.113.10' };
    const KEDA: Endpoint = {
      kind: 'pod',
      labels: { app: 'keda-operator' },
      namespace: { labels: { 'kubernetes.io/metadata.name': 'keda' } },
    };
    const app = (w: { labels: Record<string, string> }) => w.labels['app.kubernetes.io/name']!;
    const policiesOf = (objs: K8sObject[]) => {
      const ns = objs.find((o) => o.kind === 'Namespace');
      return new NetworkPolicies(objs, ns?.metadata.labels ?? { 'kubernetes.io/metadata.name': 'cctap' });
    };

    /** Where each workload (by app.kubernetes.io/name) must connect, besides DNS. */
    function needs(t: string): Record<string, [string | Endpoint, number][]> {
      const ch = t === COMPOSED ? 8443 : 8123;
      const replicated = t === 'overlays/clickhouse-replicated';
      return {
        validator: [['nats', 4222]],
        analyzer: [['nats', 4222]],
        alerter: [
          ['nats', 4222],
          [INTERNET, 443],
        ],
        sink: [
          ['nats', 4222],
          ['clickhouse', ch],
        ],
        provision: [['nats', 4222]],
        migrate: [['clickhouse', ch]],
        nats: [['nats', 6222]],
        clickhouse: replicated
          ? [
              ['clickhouse', 9000],
              ['clickhouse', 9009],
              ['clickhouse-keeper', 9181],
            ]
          : [],
        'clickhouse-keeper': [['clickhouse-keeper', 9234]],
      };
    }

    it('the evaluation can fail: a default deny refuses, no policy allows', () => {
      const deny = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'd' },
        spec: { podSelector: {}, policyTypes: ['Egress'] },
      };
      const to: Endpoint = { kind: 'pod', labels: { a: 'b' }, namespace: 'own' };
      expect(new NetworkPolicies([deny], {}).allows({ a: 'b' }, to, 80)).toBe(false);
      expect(new NetworkPolicies([], {}).allows({ a: 'b' }, to, 80)).toBe(true);
    });

    for (const t of HARDENED) {
      it(`${t}: egress is denied by default; each workload reaches what it needs and nothing more`, () => {
        const objs = objects(t);
        const policies = policiesOf(objs);
        const ws = workloads(objs);
        const need = needs(t);
        const to = (x: string | Endpoint): Endpoint => {
          if (typeof x !== 'string') return x;
          const w = ws.find((y) => app(y) === x);
          if (!w) throw new Error(`${t}: no workload ${x}`);
          return { kind: 'pod', labels: w.labels, namespace: 'own' };
        };
        for (const w of ws) {
          expect(Object.keys(need), `${w.owner}: its traffic is listed in this test`).toContain(app(w));
          expect(policies.isolating(w.labels, 'Egress').length, `${w.owner}: egress isolated`).toBeGreaterThan(0);
          expect(policies.allows(w.labels, DNS, 53, 'UDP'), `${w.owner} -> DNS`).toBe(true);
          for (const [dest, port] of need[app(w)]!)
            expect(policies.allows(w.labels, to(dest), port), `${w.owner} -> ${String(dest)}:${port}`).toBe(true);
        }
        const present = (x: string) => ws.some((w) => app(w) === x);
        const refused: [string, string | Endpoint, number][] = [
          ['validator', 'clickhouse', 8123],
          ['migrate', 'nats', 4222],
          ['clickhouse', 'nats', 4222],
          ['sink', INTERNET, 443],
          ['nats', INTERNET, 443],
          ['alerter', INTERNET, 80],
          ...(t === COMPOSED ? [['sink', 'clickhouse', 8123] as [string, string, number]] : []),
        ];
        for (const [from, dest, port] of refused) {
          if (!present(from)) continue;
          const w = ws.find((y) => app(y) === from)!;
          expect(policies.allows(w.labels, to(dest), port), `${from} -> ${String(dest)}:${port} refused`).toBe(false);
        }
        const nats = ws.find((w) => app(w) === 'nats')!;
        expect(policies.admitsIngress(nats.labels, KEDA, 8222), 'KEDA -> NATS monitoring').toBe(t === COMPOSED);
      });
    }
  });

  it(`${COMPOSED}: NATS and ClickHouse serve TLS with cert-manager's certificates; every cctap pod trusts the CA`, () => {
    const objs = objects(COMPOSED);
    interface CertSpec {
      secretName: string;
      isCA?: boolean;
      dnsNames?: string[];
      usages?: string[];
      issuerRef: { name: string };
    }
    const certs = objs
      .filter((o) => o.kind === 'Certificate')
      .map((o) => ({ name: o.metadata.name, ...(o.spec as unknown as CertSpec) }));
    const issuers = objs.filter((o) => o.kind === 'Issuer');
    for (const c of certs)
      expect(
        issuers.map((i) => i.metadata.name),
        c.name,
      ).toContain(c.issuerRef.name);
    const caIssuer = issuers.find((i) => specOf(i).ca)!;
    const caSecret = (specOf(caIssuer).ca as { secretName: string }).secretName;
    expect(certs.find((c) => c.secretName === caSecret)?.isCA).toBe(true);
    const certOf = (secret: string) => {
      const c = certs.find((x) => x.secretName === secret);
      if (!c) throw new Error(`no Certificate writes the Secret ${secret}`);
      return { ...c, dnsNames: c.dnsNames ?? [], usages: c.usages ?? [] };
    };
    const ws = workloads(objs);
    const secretAt = (w: (typeof ws)[number], container: string, path: string) => {
      const m = w.pod.containers.find((c) => c.name === container)!.volumeMounts!.find((x) => x.mountPath === path);
      expect(m, `${w.owner} mounts ${path}`).toBeDefined();
      return w.pod.volumes!.find((v) => v.name === m!.name)!.secret as {
        secretName: string;
        items?: { key: string; path: string }[];
      };
    };

    // NATS: the TLS config, the certificate where it reads it, valid for every name clients and routes dial.
    const nats = ws.find((w) => w.name === 'cctap-nats')!;
    const natsC = nats.pod.containers.find((c) => c.name === 'nats')!;
    expect(natsC.args).toContain('/etc/nats/nats-cluster-tls.conf');
    const conf = configMap(objs, 'cctap-nats-config')['nats-cluster-tls.conf']!;
    expect(conf).toContain('include "nats-cluster.conf"');
    const natsCert = certOf(secretAt(nats, 'nats', '/etc/nats/tls').secretName);
    expect(natsCert.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
    const env = configMap(objs, 'cctap-env');
    const routes = natsC.env!.find((e) => e.name === 'NATS_ROUTES')!.value!;
    const hosts = [
      ...env.NATS_URL!.split(',').map((u) => new URL(u).hostname),
      ...[...routes.matchAll(/nats-route:\/\/([^:]+):/g)].map((m) => m[1]!),
    ];
    expect(hosts).toHaveLength(6);
    for (const h of hosts) expect(covers(natsCert.dnsNames, h), h).toBe(true);

    // ClickHouse: tls.xml in config.d, the certificate where it says, the HTTPS port exposed.
    const ch = ws.find((w) => w.name === 'cctap-clickhouse')!;
    const chC = ch.pod.containers[0]!;
    expect(chC.volumeMounts!.map((m) => m.mountPath)).toContain('/etc/clickhouse-server/config.d/tls.xml');
    const xml = configMap(objs, 'cctap-clickhouse-tls-config')['clickhouse-tls.xml']!;
    expect(xml).toContain('<certificateFile>/etc/clickhouse-server/tls/tls.crt</certificateFile>');
    const chCert = certOf(secretAt(ch, 'clickhouse', '/etc/clickhouse-server/tls').secretName);
    expect(covers(chCert.dnsNames, 'cctap-clickhouse')).toBe(true);
    expect(chC.ports!.map((p) => p.containerPort)).toEqual(expect.arrayContaining([8443, 9440]));
    expect(chCert.issuerRef.name).toBe(natsCert.issuerRef.name);

    // Every cctap pod: the CA certificate (and no key) where CCTAP_NATS_TLS_CA and NODE_EXTRA_CA_CERTS point.
    expect(env.NODE_EXTRA_CA_CERTS).toBe(env.CCTAP_NATS_TLS_CA);
    const ca = env.CCTAP_NATS_TLS_CA!;
    const cctapPods = ws.filter((w) => w.pod.containers[0]!.image.includes('/cctap'));
    expect(cctapPods).toHaveLength(6);
    for (const w of cctapPods) {
      const s = secretAt(w, w.pod.containers[0]!.name, ca.slice(0, ca.lastIndexOf('/')));
      expect(s.items, w.owner).toEqual([{ key: 'ca.crt', path: ca.slice(ca.lastIndexOf('/') + 1) }]);
      expect(certOf(s.secretName).issuerRef.name).toBe(natsCert.issuerRef.name);
    }
  });

  it(`${COMPOSED}: KEDA scales the validator, sink and analyzer on their own consumers, never the alerter`, () => {
    const objs = objects(COMPOSED);
    const t = topology();
    const consumers = new Map<string, string>(
      (Object.keys(CONSUMERS) as (keyof typeof CONSUMERS)[]).map((k) => [t.consumer(k), t.consumerStream(k)]),
    );
    for (let k = 0; k < t.partitions; k++) consumers.set(partitionConsumerName(t, k), t.stream('events'));
    const scaled = objs.filter((o) => o.kind === 'ScaledObject');
    const byTarget = new Map(
      scaled.map((o) => {
        const s = specOf(o) as {
          scaleTargetRef: { name: string };
          minReplicaCount: number;
          maxReplicaCount: number;
          triggers: { type: string; metadata: Record<string, string> }[];
        };
        return [s.scaleTargetRef.name, { ns: o.metadata.namespace, ...s }];
      }),
    );
    expect([...byTarget.keys()].sort()).toEqual(['cctap-analyzer', 'cctap-sink', 'cctap-validator']);
    const headless = objs.find(
      (o) => o.kind === 'Service' && specOf(o).clusterIP === 'None' && o.metadata.name.includes('nats'),
    )!;
    for (const [target, s] of byTarget) {
      const d = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === target)!;
      expect(specOf(d).replicas, `${target}: the HPA owns its replica count`).toBeUndefined();
      expect(s.minReplicaCount, `${target}: PDB minAvailable 1 needs two`).toBeGreaterThanOrEqual(2);
      for (const tr of s.triggers) {
        expect(tr.type).toBe('nats-jetstream');
        expect(consumers.get(tr.metadata.consumer!), `${target}: ${tr.metadata.consumer}`).toBe(tr.metadata.stream);
        // KEDA asks each node by its server_name (the pod name) under this host.
        expect(tr.metadata.natsServerMonitoringEndpoint).toBe(
          `${headless.metadata.name}.${s.ns}.svc.cluster.local:8222`,
        );
      }
    }
    const consumersOf = (target: string) =>
      byTarget
        .get(target)!
        .triggers.map((tr) => tr.metadata.consumer)
        .sort();
    expect(consumersOf('cctap-validator')).toEqual([t.consumer('validator')]);
    expect(consumersOf('cctap-sink')).toEqual([...consumers.keys()].filter((c) => c.startsWith('sink-')).sort());
    expect(consumersOf('cctap-analyzer')).toEqual(
      Array.from({ length: t.partitions }, (_, k) => partitionConsumerName(t, k)).sort(),
    );
    expect(byTarget.get('cctap-analyzer')!.maxReplicaCount).toBeLessThanOrEqual(t.partitions);
    const natsPod = workloads(objs).find((w) => w.name === 'cctap-nats')!.pod.containers[0]!;
    expect(natsPod.env!.find((e) => e.name === 'SERVER_NAME')).toMatchObject({
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });
  });
});
