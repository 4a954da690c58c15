/**
 * One `cctap <command>` running as its own OS process, the way an operator runs it: the built CLI
 * (apps/cctap/dist/main.js), stdout and stderr appended to one log file, probes on `--metrics-port 0`.
 *
 * Lifecycle (one object, several incarnations):
 *   stopped --start()--> starting --(log names the probe port, /readyz 200)--> ready
 *   ready --kill9()--> stopped        (SIGKILL: no drain, no checkpoint flush, no ack)
 *   ready --stop()---> stopped        (SIGTERM: the service's graceful path; resolves to the exit code)
 *   stopped --start()--> starting ... (same args, same state/data directories)
 * The probe port changes with every incarnation; it is read from the log line the kit writes
 * ("probe server listening", with `port`) after the incarnation's own start marker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/paths.js';

export const CLI = join(REPO_ROOT, 'apps/cctap/dist/main.js');

export interface CliProcess {
  readonly name: string;
  readonly logFile: string;
  /** Probe port of the current incarnation (null before the first ready). */
  readonly port: number | null;
  /** Incarnations started so far. */
  readonly starts: number;
  /** SIGKILLs delivered so far. */
  readonly kills: number;
  /** Spawns a new incarnation and waits until /readyz answers 200. */
  start(timeoutMs?: number): Promise<void>;
  /** SIGKILL, then wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM, then wait for the exit; resolves to the exit code (null when killed by a signal). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Prometheus text of the current incarnation. */
  metrics(): Promise<string>;
  /** The last `bytes` of the log, for failure messages. */
  logTail(bytes?: number): string;
}

class CliProcessError extends Error {
  override readonly name = 'CliProcessError';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function cliProcess(o: {
  name: string;
  command: string;
  args: readonly string[];
  logDir: string;
  env?: NodeJS.ProcessEnv;
}): CliProcess {
  const logFile = join(o.logDir, `${o.name}.log`);
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> | null = null;
  let port: number | null = null;
  let starts = 0;
  let kills = 0;

  const logTail = (bytes = 3000): string => {
    try {
      const text = readFileSync(logFile, 'utf8');
      return text.slice(-bytes);
    } catch {
      return '(no log)';
    }
  };

  /** The probe port logged by the incarnation whose output starts at `offset`. */
  const loggedPort = (offset: number): number | null => {
    const text = readFileSync(logFile).subarray(offset).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line.includes('probe server listening')) continue;
      try {
        const p = (JSON.parse(line) as { port?: unknown }).port;
        if (typeof p === 'number') return p;
      } catch {
        // a partial line: read again on the next poll
      }
    }
    return null;
  };

  async function start(timeoutMs = 60_000): Promise<void> {
    if (child) throw new CliProcessError(`${o.name} is already running`);
    starts += 1;
    const fd = openSync(logFile, 'a');
    writeSync(fd, `--- ${o.name} incarnation ${starts} at ${new Date().toISOString()}\n`);
    const offset = statSync(logFile).size;
    const c = spawn(process.execPath, [CLI, o.command, ...o.args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...o.env },
    });
    closeSync(fd);
    child = c;
    exited = new Promise((resolve) => c.once('exit', (code) => resolve(code)));
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    port = null;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (gone) {
        child = null;
        throw new CliProcessError(`${o.name} exited before it was ready (code ${c.exitCode}):\n${logTail()}`);
      }
      port ??= loggedPort(offset);
      if (port !== null) {
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
      }
      await sleep(50);
    }
    throw new CliProcessError(`${o.name} was not ready within ${timeoutMs} ms:\n${logTail()}`);
  }

  async function kill9(): Promise<void> {
    const c = child;
    if (!c || !exited) throw new CliProcessError(`${o.name} is not running`);
    c.kill('SIGKILL');
    await exited;
    kills += 1;
    child = null;
  }

  async function stop(timeoutMs = 30_000): Promise<number | null> {
    const c = child;
    if (!c || !exited) return null;
    c.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (code === 'timeout') {
      c.kill('SIGKILL');
      await exited;
      child = null;
      throw new CliProcessError(`${o.name} did not stop within ${timeoutMs} ms after SIGTERM:\n${logTail()}`);
    }
    child = null;
    return code;
  }

  async function metrics(): Promise<string> {
    if (port === null || !child) throw new CliProcessError(`${o.name} is not running`);
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    return r.text();
  }

  return {
    name: o.name,
    logFile,
    get port() {
      return port;
    },
    get starts() {
      return starts;
    },
    get kills() {
      return kills;
    },
    start,
    kill9,
    stop,
    metrics,
    logTail,
  };
}

/** Runs a one-shot `cctap <command>` to completion; resolves to stdout, throws with stderr on a non-zero exit. */
export async function runCli(
  command: string,
  args: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<string> {
  const c = spawn(process.execPath, [CLI, command, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  c.stdout.on('data', (d: Buffer) => (out += d.toString()));
  c.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => c.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve) => c.once('close', (x) => resolve(x)));
  clearTimeout(timer);
  if (code !== 0) throw new CliProcessError(`cctap ${command} ${args.join(' ')} exited ${code}:\n${err.slice(-3000)}`);
  return out;
}

/** The value of one Prometheus sample (sum over its label sets); null when the metric is absent. */
export function metricValue(text: string, name: string): number | null {
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}
