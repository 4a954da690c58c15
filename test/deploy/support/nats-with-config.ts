/**
 * A real nats-server started from deploy/nats/nats-server.conf (copied, with an auth directory next to it
 * and the JetStream store moved to a temp dir). test/support/nats.ts passes `-sd`, which nats-server refuses
 * next to a `store_dir` in the file, hence this small variant.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/free-port.js';
import { requireTool } from '../../support/tools.js';
import { REPO_ROOT } from './repo.js';

export interface ConfiguredNats {
  url: string;
  dispose(): Promise<void>;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startConfiguredNats(authDir: string): Promise<ConfiguredNats> {
  requireTool('nats-server', 'install nats-server (Debian: apt-get install -y nats-server; .ci/run does)');
  const dir = mkdtempSync(join(tmpdir(), 'cctap-natsconf-'));
  const conf = readFileSync(join(REPO_ROOT, 'deploy/nats/nats-server.conf'), 'utf8');
  const moved = conf.replace(/store_dir: "[^"]*"/, `store_dir: ${JSON.stringify(join(dir, 'js'))}`);
  if (moved === conf) throw new Error('deploy/nats/nats-server.conf has no store_dir line to redirect');
  writeFileSync(join(dir, 'nats-server.conf'), moved);
  cpSync(authDir, join(dir, 'auth'), { recursive: true });
  const [port, http] = [await freePort(), await freePort()];
  let stderr = '';
  const child: ChildProcess = spawn(
    'nats-server',
    ['-c', join(dir, 'nats-server.conf'), '-a', '127.0.0.1', '-p', String(port), '-m', String(http)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server with deploy/nats/nats-server.conf did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    async dispose() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
