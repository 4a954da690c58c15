/** Shared pieces of the collector benchmarks: a nats-server, the CLI as a child process, /proc sampling, statistics. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectNats, provision } from '@cctap/kit';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'apps/cctap/dist/main.js');

export function machine(): string {
  return `${cpus().length} x ${cpus()[0]?.model ?? '?'} (nproc ${cpus().length}), node ${process.version}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

export interface BenchNats {
  url: string;
  pid: number;
  stop(): void;
}

/** A fresh nats-server with JetStream (file store in a temp dir) and the cctap streams under `prefix`. */
export async function startNats(prefix: string): Promise<BenchNats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-nats-'));
  const child: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
    stdio: 'ignore',
  });
  const url = `nats://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const nc = await connectNats({ servers: url, name: 'bench-provision' });
      await provision(nc, { prefix, maxBytes: 4 * 1024 ** 3 });
      await nc.close();
      break;
    } catch (err) {
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    pid: child.pid!,
    stop: () => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds (user + system) and RSS bytes of a process, from /proc (Linux). */
export function procStat(pid: number): { cpuSeconds: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15 of the full line)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssBytes: rssKb * 1024 };
}

export interface CollectorChild {
  child: ChildProcess;
  /** Resolves with the first stderr log line whose msg starts with `prefix` (JSON logs). */
  waitLog(prefix: string): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  peakRssBytes(): number;
  stopSampling(): void;
}

/** `node apps/cctap/dist/main.js collect <args>` with JSON logs on stderr and RSS sampled every 50 ms. */
export function spawnCollector(args: string[], nodeArgs: string[] = []): CollectorChild {
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'collect', '--log-format', 'json', ...args], {
    cwd: REPO,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const waiters: Array<{ prefix: string; resolve: (l: Record<string, unknown>) => void }> = [];
  let buf = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let j: Record<string, unknown>;
      try {
        j = JSON.parse(line) as Record<string, unknown>;
      } catch {
        process.stderr.write(`${line}\n`);
        continue;
      }
      if (j.level === 'error' || j.level === 'warn') process.stderr.write(`${line}\n`);
      for (const w of [...waiters])
        if (typeof j.msg === 'string' && j.msg.startsWith(w.prefix)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(j);
        }
    }
  });
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, procStat(child.pid!).rssBytes);
    } catch {
      // exited
    }
  }, 50);
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      clearInterval(sampler);
      r(code);
    }),
  );
  return {
    child,
    exited,
    waitLog: (prefix) => new Promise((resolve) => waiters.push({ prefix, resolve })),
    peakRssBytes: () => peak,
    stopSampling: () => clearInterval(sampler),
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const spread = (xs: number[], digits = 1): string =>
  `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
