/**
 * How a test gets a NATS server with JetStream (DESIGN section 9):
 *   1. NATS_URL if set (the caller owns that server; stop/restart are not available);
 *   2. else a `nats-server` binary on PATH, started on a free port with its own temp JetStream dir;
 *   3. else Docker through testcontainers;
 *   4. else fail, naming the fix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { findTool } from './tools.js';

export interface TestNats {
  url: string;
  /** Stops the server (SIGTERM, or SIGKILL with `hard`); its JetStream data stays for `start()`. */
  stop(opts?: { hard?: boolean }): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  dispose(): Promise<void>;
  /** True when the test controls the server's process (stop/start work). */
  controllable: boolean;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`);
}

async function startBinary(extraArgs: string[]): Promise<TestNats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cctap-nats-'));
  let child: ChildProcess | null = null;
  let stderr = '';
  const start = async () => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir, ...extraArgs], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    try {
      await waitForPort(port, 10_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
    }
  };
  const stop = async (opts?: { hard?: boolean }) => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(opts?.hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
    child = null;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    stop,
    start,
    controllable: true,
    async dispose() {
      await stop({ hard: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startContainer(): Promise<TestNats> {
  const { GenericContainer } = await import('testcontainers');
  const container = await new GenericContainer('nats:2.10-alpine')
    .withCommand(['-js', '-sd', '/data'])
    .withExposedPorts(4222)
    .start();
  const url = `nats://${container.getHost()}:${container.getMappedPort(4222)}`;
  return {
    url,
    controllable: false,
    async stop() {
      throw new Error('stop/start is not supported on a container NATS in these tests');
    },
    async start() {
      throw new Error('stop/start is not supported on a container NATS in these tests');
    },
    async dispose() {
      await container.stop();
    },
  };
}

/** Starts (or finds) a NATS server for one test file. Call `dispose()` in afterAll. */
export async function startNats(opts: { extraArgs?: string[]; requireControl?: boolean } = {}): Promise<TestNats> {
  const fromEnv = process.env.NATS_URL;
  if (fromEnv && !opts.requireControl) {
    return {
      url: fromEnv,
      controllable: false,
      async stop() {
        throw new Error('NATS_URL server is not controllable');
      },
      async start() {
        throw new Error('NATS_URL server is not controllable');
      },
      async dispose() {},
    };
  }
  if (findTool('nats-server')) return startBinary(opts.extraArgs ?? []);
  try {
    return await startContainer();
  } catch (err) {
    throw new Error(
      `No NATS server for the tests: set NATS_URL, or install nats-server (Debian: apt-get install -y nats-server), or run Docker. (${(err as Error).message})`,
      { cause: err },
    );
  }
}
