/**
 * Three real nats-server nodes started from the shipped deploy/nats/nats-cluster-tls.conf, which includes
 * deploy/nats/nats-cluster.conf: both files copied into each node's directory with the JetStream store and the
 * certificate paths (/etc/nats/tls/ in Kubernetes) moved to temp paths, the environment set as the StatefulSet
 * sets it (SERVER_NAME, NATS_ROUTES, JS_MAX_FILE_STORE), free ports given as flags.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, onFreePorts } from '../../support/free-port.js';
import { requireTool } from '../../support/tools.js';
import { waitFor } from '../../support/wait-for.js';
import { REPO_ROOT } from './repo.js';
import type { TlsFiles } from './tls-certs.js';

export interface TlsNatsNode {
  name: string;
  port: number;
  routePort: number;
  httpPort: number;
}

export interface TlsNatsCluster {
  nodes: TlsNatsNode[];
  /** Every node's client URL, comma-separated, as `--nats` takes it. */
  servers: string;
  logs(): string;
  dispose(): Promise<void>;
}

function replaced(text: string, from: string | RegExp, to: string, file: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`${file}: nothing to replace for ${String(from)}`);
  return out;
}

async function healthyWithLeader(httpPort: number): Promise<boolean> {
  if (!(await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok) return false;
  const jsz = (await (await fetch(`http://127.0.0.1:${httpPort}/jsz`)).json()) as {
    meta_cluster?: { leader?: string };
  };
  return Boolean(jsz.meta_cluster?.leader);
}

export async function startTlsNatsCluster(tls: TlsFiles): Promise<TlsNatsCluster> {
  requireTool('nats-server', 'install nats-server (Debian: apt-get install -y nats-server; .ci/run does)');
  return onFreePorts(() => startOnce(tls));
}

async function startOnce(tls: TlsFiles): Promise<TlsNatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'cctap-nats-tls-'));
  const base = readFileSync(join(REPO_ROOT, 'deploy/nats/nats-cluster.conf'), 'utf8');
  const withTls = readFileSync(join(REPO_ROOT, 'deploy/nats/nats-cluster-tls.conf'), 'utf8');
  const nodes: TlsNatsNode[] = [];
  for (let i = 1; i <= 3; i++)
    nodes.push({ name: `n${i}`, port: await freePort(), routePort: await freePort(), httpPort: await freePort() });
  const routes = `[${nodes.map((n) => `nats-route://127.0.0.1:${n.routePort}`).join(', ')}]`;
  const children: ChildProcess[] = [];
  const logs = new Map<string, string>();
  for (const n of nodes) {
    const home = join(dir, n.name);
    mkdirSync(home);
    const store = `store_dir: ${JSON.stringify(join(home, 'js'))}`;
    writeFileSync(join(home, 'nats-cluster.conf'), replaced(base, /store_dir: "[^"]*"/, store, 'nats-cluster.conf'));
    const certs = replaced(withTls, /\/etc\/nats\/tls\//g, `${tls.dir}/`, 'nats-cluster-tls.conf');
    writeFileSync(join(home, 'nats-cluster-tls.conf'), certs);
    cpSync(join(REPO_ROOT, 'deploy/nats/no-auth'), join(home, 'auth'), { recursive: true });
    const args = ['-c', join(home, 'nats-cluster-tls.conf'), '-a', '127.0.0.1', '-p', String(n.port)];
    args.push('-m', String(n.httpPort), '--cluster', `nats://127.0.0.1:${n.routePort}`);
    const env = { ...process.env, SERVER_NAME: n.name, NATS_ROUTES: routes, JS_MAX_FILE_STORE: String(1 << 30) };
    const child = spawn('nats-server', args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    child.stderr?.on('data', (d: Buffer) => logs.set(n.name, ((logs.get(n.name) ?? '') + d.toString()).slice(-3000)));
    children.push(child);
  }
  const cluster: TlsNatsCluster = {
    nodes,
    servers: nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(','),
    logs: () => nodes.map((n) => `${n.name}:\n${(logs.get(n.name) ?? '').split('\n').slice(-8).join('\n')}`).join('\n'),
    async dispose() {
      for (const c of children) {
        if (c.exitCode !== null || c.signalCode !== null) continue;
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // Routes over TLS are up once JetStream has a meta leader: it needs two of the three nodes to agree.
    const outcome = await waitFor(
      'every node healthy, with a JetStream meta leader (routes over TLS)',
      async () =>
        children.some((c) => c.exitCode !== null)
          ? 'a node exited'
          : (await Promise.all(nodes.map((n) => healthyWithLeader(n.httpPort)))).every(Boolean),
      30_000,
      100,
      cluster.logs,
    );
    if (outcome === 'a node exited') throw new Error(`a nats-server node exited at start:\n${cluster.logs()}`);
  } catch (err) {
    await cluster.dispose();
    throw err;
  }
  return cluster;
}
