/**
 * Replicated ClickHouse (deploy/k8s/overlays/clickhouse-replicated, deploy/clickhouse/cluster): the overlay renders
 * with kustomize into valid objects, two replicas and three Keeper nodes whose names are the ones the configs
 * point at, the migrations run in cluster mode with the cluster the config declares; the ClickHouse configs load
 * in the real engine (chdb, with `--config-file`) and mean what they say: the cluster's replicas, the macros of
 * the replicated tables' Keeper path, a `backups` disk BACKUP can write to. What cannot run here: Keeper and a
 * second server (docs/deploy.md says so).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool } from '../support/tools.js';
import { REPO_ROOT } from './support/repo.js';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface Container {
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface StatefulSet extends K8sObject {
  spec: {
    replicas: number;
    serviceName: string;
    template: { spec: { containers: Container[]; volumes: { name: string; configMap?: { name: string } }[] } };
  };
}

const OVERLAY = join(REPO_ROOT, 'deploy/k8s/overlays/clickhouse-replicated');

function render(): K8sObject[] {
  const { cmd } = requireTool(
    ['kustomize', 'kubectl'],
    "install kubectl >= 1.21 or kustomize to render deploy/k8s (Debian's kubernetes-client 1.20 is too old)",
  );
  const args = cmd === 'kustomize' ? ['build', OVERLAY] : ['kustomize', OVERLAY];
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJSON() as K8sObject)
    .filter(Boolean);
}

const objects = render();
const find = <T extends K8sObject>(kind: string, name: string): T => {
  const o = objects.find(
    (x) => x.kind === kind && (x.metadata.name === name || x.metadata.name.startsWith(`${name}-`)),
  );
  if (!o) throw new Error(`no ${kind} ${name} in the rendered overlay`);
  return o as T;
};
const xmlTags = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);

const clickhouse = find<StatefulSet>('StatefulSet', 'cctap-clickhouse');
const keeper = find<StatefulSet>('StatefulSet', 'cctap-keeper');
const clusterXml = find('ConfigMap', 'cctap-clickhouse-cluster-config').data!['cluster.xml']!;
const keeperXml = find('ConfigMap', 'cctap-keeper-config').data!['keeper.xml']!;

describe('deploy/k8s/overlays/clickhouse-replicated rendered', () => {
  it('every object is valid for its kind (kubernetes-models)', async () => {
    for (const o of objects.filter((x) => !x.apiVersion.startsWith('monitoring.coreos.com'))) {
      const mod = (await import(`kubernetes-models/${o.apiVersion}/${o.kind}`)) as Record<
        string,
        new (o: object) => { validate(): void }
      >;
      const data =
        o.kind === 'Secret' && o.data
          ? Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, v.replace(/\s+/g, '')]))
          : undefined;
      expect(
        () => new mod[o.kind]!(data ? { ...o, data } : o).validate(),
        `${o.kind} ${o.metadata.name}`,
      ).not.toThrow();
    }
  });

  it('two ClickHouse replicas, reachable by the names remote_servers uses', () => {
    expect(clickhouse.spec.replicas).toBe(2);
    expect(find('Service', clickhouse.spec.serviceName).spec!.clusterIP).toBe('None');
    const hosts = xmlTags(clusterXml, 'host').filter((h) => h!.startsWith('cctap-clickhouse'));
    expect(hosts).toEqual([0, 1].map((i) => `cctap-clickhouse-${i}.${clickhouse.spec.serviceName}`));
    const env = clickhouse.spec.template.spec.containers[0]!.env!;
    expect(env.find((e) => e.name === 'CLICKHOUSE_REPLICA')?.value).toBe('$(POD_NAME)');
    expect(env.find((e) => e.name === 'CLICKHOUSE_INTERSERVER_HOST')?.value).toBe(
      `$(POD_NAME).${clickhouse.spec.serviceName}`,
    );
    const mounts = clickhouse.spec.template.spec.containers[0]!.volumeMounts!.map((m) => m.mountPath);
    expect(mounts).toEqual(
      expect.arrayContaining([
        '/etc/clickhouse-server/config.d/cluster.xml',
        '/etc/clickhouse-server/config.d/backups.xml',
        '/etc/clickhouse-server/users.d/grafana.xml',
      ]),
    );
  });

  it('three Keeper nodes: the Raft members and the servers\u2019 zookeeper nodes are its pods', () => {
    expect(keeper.spec.replicas).toBe(3);
    const pods = [0, 1, 2].map((i) => `cctap-keeper-${i}.${keeper.spec.serviceName}`);
    expect(xmlTags(keeperXml, 'hostname')).toEqual(pods);
    expect(xmlTags(keeperXml, 'id')).toEqual(['1', '2', '3']);
    expect(xmlTags(clusterXml, 'host').filter((h) => h!.startsWith('cctap-keeper'))).toEqual(pods);
  });

  it('the migrate Job and the sink run the migrations for the cluster the config declares', () => {
    const env = find('ConfigMap', 'cctap-env').data!;
    expect(clusterXml).toMatch(new RegExp(`<remote_servers>\\s*<${env.CCTAP_CLUSTER}>`));
    for (const [kind, name] of [
      ['Job', 'cctap-migrate'],
      ['Deployment', 'cctap-sink'],
    ] as const) {
      const o = objects.find((x) => x.kind === kind && x.metadata.name.startsWith(name)) as unknown as {
        spec: { template: { spec: { containers: Container[] } } };
      };
      const from = o.spec.template.spec.containers[0]!.envFrom!.map((e) => e.configMapRef?.name);
      expect(from, name).toContain(find('ConfigMap', 'cctap-env').metadata.name);
    }
  });

  it('Grafana provisioning ConfigMaps carry the dashboards and datasources, labelled for the sidecars', () => {
    const dash = find('ConfigMap', 'cctap-grafana-dashboards');
    expect(dash.metadata.labels?.grafana_dashboard).toBe('1');
    expect(Object.keys(dash.data!).sort()).toEqual(['cctap-activity.json', 'cctap-pipeline.json', 'cctap-usage.json']);
    const ds = find('ConfigMap', 'cctap-grafana-datasources');
    expect(ds.metadata.labels?.grafana_datasource).toBe('1');
    expect(ds.data!['datasources.yaml']).toContain('username: grafana');
  });
});

describe('deploy/clickhouse/cluster/compose.yml (the same cluster over the Compose stack)', () => {
  interface Service {
    environment?: Record<string, string>;
    volumes?: string[];
    networks?: { default?: { aliases?: string[] } };
  }
  const override = parse(readFileSync(join(REPO_ROOT, 'deploy/clickhouse/cluster/compose.yml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, Service> };
  const services = override.services;
  const main = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, unknown>;
  };

  it('is valid against the Compose Specification schema, and overrides services the main stack has', () => {
    const { $schema: _draft, ...schema } = JSON.parse(
      readFileSync(join(REPO_ROOT, 'test/deploy/schemas/compose-spec.json'), 'utf8'),
    ) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate(override), ajv.errorsText(validate.errors)).toBe(true);
    for (const name of ['clickhouse', 'migrate', 'sink']) expect(Object.keys(main.services)).toContain(name);
  });

  it('mounts files that exist (paths from the repository root, where the first -f file is)', () => {
    for (const [name, s] of Object.entries(services))
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0]!;
        if (src.startsWith('./')) expect(existsSync(join(REPO_ROOT, src)), `${name}: ${src}`).toBe(true);
      }
  });

  it('answers to the names cluster.xml and keeper.xml use, with the Raft id of each name', () => {
    const alias = (name: string) => services[name]!.networks!.default!.aliases![0]!;
    expect(['clickhouse', 'clickhouse-2'].map(alias)).toEqual(
      xmlTags(clusterXml, 'host').filter((h) => h!.startsWith('cctap-clickhouse')),
    );
    expect(['clickhouse', 'clickhouse-2'].map((n) => services[n]!.environment!.CLICKHOUSE_REPLICA)).toEqual([
      'cctap-clickhouse-0',
      'cctap-clickhouse-1',
    ]);
    const keepers = ['keeper-1', 'keeper-2', 'keeper-3'];
    expect(keepers.map(alias)).toEqual(xmlTags(keeperXml, 'hostname'));
    expect(keepers.map((k) => services[k]!.environment!.KEEPER_SERVER_ID)).toEqual(xmlTags(keeperXml, 'id'));
    expect(services.migrate!.environment!.CCTAP_CLUSTER).toBe('cctap');
    expect(services.sink!.environment!.CCTAP_CLUSTER).toBe('cctap');
  });
});

describe('copies kustomize needs inside its root stay equal to their originals', () => {
  it.each([
    ['deploy/k8s/overlays/clickhouse-replicated/cluster.xml', 'deploy/clickhouse/cluster/cluster.xml'],
    ['deploy/k8s/overlays/clickhouse-replicated/keeper.xml', 'deploy/clickhouse/cluster/keeper.xml'],
    ['deploy/k8s/overlays/clickhouse-replicated/backups.xml', 'deploy/clickhouse/config.d/backups.xml'],
    ['deploy/k8s/overlays/clickhouse-replicated/grafana.xml', 'deploy/clickhouse/users.d/grafana.xml'],
    ...['cctap-activity.json', 'cctap-pipeline.json', 'cctap-usage.json'].map((f) => [
      `deploy/k8s/components/grafana/dashboards/${f}`,
      `deploy/grafana/dashboards/${f}`,
    ]),
  ])('%s == %s', (copy, original) => {
    expect(readFileSync(join(REPO_ROOT, copy), 'utf8')).toBe(readFileSync(join(REPO_ROOT, original), 'utf8'));
  });
});

describe('the ClickHouse configs in the real engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cctap-ch-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const chdb = createRequire(join(REPO_ROOT, 'packages/store/package.json')).resolve('chdb');

  /** Each statement's TSV result, on a fresh engine started with `config` (one process: one engine per data dir). */
  function withConfig(config: string, statements: string[], env: Record<string, string> = {}): string[] {
    const script = `const chdb = require(${JSON.stringify(chdb)});
      const [data, config, sql] = process.argv.slice(1);
      (async () => {
        const s = new chdb.Session(data, { connectionArgs: ['--config-file=' + config] });
        const out = [];
        for (const q of JSON.parse(sql)) out.push(Buffer.from((await s.queryAsync(q, { format: 'TSV' })).bytes()).toString().trim());
        s.close();
        process.stdout.write(JSON.stringify(out));
      })().catch((e) => { process.stderr.write(String(e.message)); process.exit(1); });`;
    const r = spawnSync(
      process.execPath,
      ['-e', script, join(dir, `data-${Math.random().toString(36).slice(2)}`), config, JSON.stringify(statements)],
      { encoding: 'utf8', env: { ...process.env, ...env } },
    );
    if (r.status !== 0) throw new Error(`the engine refused ${config}: ${r.stderr}`);
    return JSON.parse(r.stdout) as string[];
  }

  it('cluster.xml: the cctap cluster is one shard of the two replicas, and each server gets its replica macro', () => {
    const [clusters, macros] = withConfig(
      join(REPO_ROOT, 'deploy/clickhouse/cluster/cluster.xml'),
      [
        "SELECT shard_num, replica_num, host_name FROM system.clusters WHERE cluster = 'cctap' ORDER BY replica_num",
        "SELECT getMacro('shard'), getMacro('replica')",
      ],
      { CLICKHOUSE_REPLICA: 'cctap-clickhouse-1', CLICKHOUSE_CLUSTER_SECRET: 's', CLICKHOUSE_INTERSERVER_HOST: 'h' },
    );
    expect(clusters!.split('\n')).toEqual([
      '1\t1\tcctap-clickhouse-0.cctap-clickhouse-replicas',
      '1\t2\tcctap-clickhouse-1.cctap-clickhouse-replicas',
    ]);
    expect(macros).toBe('01\tcctap-clickhouse-1');
  });

  it("backups.xml: BACKUP writes to the 'backups' disk (its path moved into a temporary directory)", () => {
    const config = join(dir, 'backups.xml');
    writeFileSync(
      config,
      readFileSync(join(REPO_ROOT, 'deploy/clickhouse/config.d/backups.xml'), 'utf8').replaceAll(
        '/var/lib/clickhouse/backups/',
        `${join(dir, 'backups')}/`,
      ),
    );
    const [, , status] = withConfig(config, [
      'CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a',
      'INSERT INTO t VALUES (1)',
      "BACKUP TABLE t TO Disk('backups', 'one')",
    ]);
    expect(status).toMatch(/\tBACKUP_CREATED$/);
    expect(readFileSync(join(dir, 'backups', 'one', '.backup'), 'utf8')).toMatch(/<name>data\/default\/t\//);
  });
});
