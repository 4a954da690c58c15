/**
 * A three-node JetStream cluster on loopback, each node a real `nats-server` started from the shipped
 * deploy/nats/nats-cluster.conf: the same file, with what Compose and Kubernetes put in the environment
 * (SERVER_NAME, NATS_ROUTES, JS_MAX_FILE_STORE) set per node, free ports given as flags, and the store and
 * the auth include moved into a temp directory. A node can be SIGKILLed and started again on its ports and
 * store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { REPO_ROOT } from './paths.js';
import { requireTool } from './tools.js';
import { waitFor } from './wait-for.js';

export interface ClusterNode {
  /** server_name, n1 .. n3. */
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly routePort: number;
  readonly httpPort: number;
  readonly running: boolean;
  kill9(): Promise<void>;
  start(): Promise<void>;
}

export interface NatsCluster {
  readonly nodes: readonly ClusterNode[];
  /** Every node's client URL, comma-separated, as `--nats` takes it. */
  readonly servers: string;
  node(name: string): ClusterNode;
  /** Ports and the end of each node's log, for a failure message. */
  describe(): string;
  dispose(): Promise<void>;
}

/**
 * Healthy (JetStream current) and knowing the meta leader: before that, JetStream API requests time out
 * (/healthz?js-enabled-only=true, what the orchestrators' startup probes ask, is ok earlier).
 */
async function healthy(httpPort: number): Promise<boolean> {
  try {
    if (!(await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok) return false;
    const jsz = (await (await fetch(`http://127.0.0.1:${httpPort}/jsz`)).json()) as {
      meta_cluster?: { leader?: string };
    };
    return Boolean(jsz.meta_cluster?.leader);
  } catch {
    return false;
  }
}

/** Starts `size` nodes and resolves once every one is healthy and knows the JetStream meta leader. */
export async function startNatsCluster(o: { size?: number; maxFileStore: number }): Promise<NatsCluster> {
  requireTool('nats-server', 'install nats-server (Debian: apt-get install -y nats-server; .ci/run does)');
  const size = o.size ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'cctap-nats-cluster-'));
  const conf = readFileSync(join(REPO_ROOT, 'deploy/nats/nats-cluster.conf'), 'utf8');
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({
      port: await freePort(),
      route: await freePort(),
      http: await freePort(),
    })),
  );
  const routes = `[${ports.map((p) => `nats-route://127.0.0.1:${p.route}`).join(', ')}]`;

  const nodes = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const home = join(dir, name);
    mkdirSync(home);
    const moved = conf.replace(/store_dir: "[^"]*"/, `store_dir: ${JSON.stringify(join(home, 'js'))}`);
    if (moved === conf) throw new Error('deploy/nats/nats-cluster.conf has no store_dir line to redirect');
    writeFileSync(join(home, 'nats-cluster.conf'), moved);
    cpSync(join(REPO_ROOT, 'deploy/nats/no-auth'), join(home, 'auth'), { recursive: true });
    let child: ChildProcess | null = null;
    let log = '';
    const node = {
      name,
      url: `nats://127.0.0.1:${p.port}`,
      port: p.port,
      routePort: p.route,
      httpPort: p.http,
      get running() {
        return child !== null && child.exitCode === null && child.signalCode === null;
      },
      get log() {
        return log;
      },
      async start() {
        const c = spawn(
          'nats-server',
          [
            '-c',
            join(home, 'nats-cluster.conf'),
            '-a',
            '127.0.0.1',
            '-p',
            String(p.port),
            '-m',
            String(p.http),
            '--cluster',
            `nats://127.0.0.1:${p.route}`,
          ],
          {
            stdio: ['ignore', 'ignore', 'pipe'],
            env: { ...process.env, SERVER_NAME: name, NATS_ROUTES: routes, JS_MAX_FILE_STORE: String(o.maxFileStore) },
          },
        );
        child = c;
        c.stderr?.on('data', (d: Buffer) => {
          log = (log + d.toString()).slice(-3000);
        });
      },
      async kill9() {
        const c = child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGKILL');
        await exited;
      },
    };
    return node;
  });

  const cluster: NatsCluster = {
    nodes,
    servers: nodes.map((n) => n.url).join(','),
    node(name) {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no cluster node ${name}`);
      return n;
    },
    describe() {
      return nodes
        .map(
          (n) =>
            `${n.name}: client ${n.port}, route ${n.routePort}, monitor ${n.httpPort}, ${n.running ? 'running' : 'stopped'}\n  ${n.log.trim().split('\n').slice(-6).join('\n  ')}`,
        )
        .join('\n');
    },
    async dispose() {
      for (const n of nodes) await n.kill9();
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    // All at once: JetStream waits for a quorum of the routes before any node is healthy.
    for (const n of nodes) await n.start();
    await waitFor(
      'every cluster node healthy, with a JetStream meta leader',
      async () => (await Promise.all(nodes.map((n) => healthy(n.httpPort)))).every(Boolean),
      30_000,
      100,
    );
  } catch (err) {
    const detail = cluster.describe();
    await cluster.dispose();
    throw new Error(`${(err as Error).message}\n${detail}`, { cause: err });
  }
  return cluster;
}
