/**
 * How a test gets a NATS server with JetStream (DESIGN section 9):
 *   1. NATS_URL if set (the caller owns that server; stop/restart are not available);
 *   2. else a `nats-server` binary on PATH, started on a free port with its own temp JetStream dir;
 *   3. else Docker through testcontainers;
 *   4. else fail, naming the fix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, onFreePorts } from './free-port.js';
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
  /** The end of the server's log, and how it exited if it did (for a test's failure message). */
  log(): string;
}

/**
 * Our own server says it listens: a port that accepts connections may be another test file's server, which
 * took the port while ours was stopped (a chaos run restarts its server on the same port) or between
 * freePort() and our bind.
 */
function listening(child: ChildProcess, port: number, log: () => string, timeoutMs: number): Promise<void> {
  const line = `Listening for client connections on 127.0.0.1:${port}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = () => {
      if (log().includes(line)) done();
    };
    const onExit = () => done(new Error(`nats-server exited at start (port ${port})`));
    function done(err?: Error) {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(new Error(`${err.message}\n${log()}`, { cause: err }));
      else resolve();
    }
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    onData();
  });
}

async function startBinary(extraArgs: string[]): Promise<TestNats> {
  return onFreePorts(async () => startBinaryOn(await freePort(), extraArgs));
}

async function startBinaryOn(port: number, extraArgs: string[]): Promise<TestNats> {
  const dir = mkdtempSync(join(tmpdir(), 'cctap-nats-'));
  let child: ChildProcess | null = null;
  let stderr = '';
  const start = async () => {
    stderr = '';
    const c = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir, ...extraArgs], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = c;
    c.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    c.once('exit', (code, signal) => {
      stderr += `\n[nats-server pid ${c.pid} exited: ${signal ?? `code ${code}`}]`;
    });
    await listening(c, port, () => stderr, 10_000);
  };
  const stop = async (opts?: { hard?: boolean }) => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(opts?.hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
    child = null;
  };
  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    stop,
    start,
    controllable: true,
    log: () => stderr,
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
    log: () => '',
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
      log: () => '',
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
