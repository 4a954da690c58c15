/**
 * A `cctap up` for a benchmark that measures what a running `up` answers: started on the given transcript
 * roots and data directory (JSON logs, no status lines, no metrics port), ready once its backfill is done and
 * its loopback address is published in up.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cctapEnv } from './cctap-env.js';

const CLI = fileURLToPath(new URL('../../../apps/cctap/dist/main.js', import.meta.url));

export interface UpInstance {
  port: number;
  token: string;
  url: string;
}

export interface BackfilledUp {
  /** Resolves once the backfill is done and up.json names the loopback address. */
  ready(timeoutMs: number): Promise<UpInstance>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

export function startBackfilledUp(roots: readonly string[], data: string, home: string): BackfilledUp {
  const up = spawn(
    process.execPath,
    [
      CLI,
      'up',
      ...roots.flatMap((r) => ['--root', r]),
      '--data',
      data,
      '--metrics-port',
      '0',
      '--log-format',
      'json',
      '--status-seconds',
      '0',
    ],
    { env: { ...cctapEnv(), HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  up.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise((r) => up.on('exit', r));
  return {
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!stderr.includes('"msg":"backfill done') || !existsSync(join(data, 'up.json'))) {
        if (up.exitCode !== null || Date.now() > deadline)
          throw new Error(`up did not finish its backfill\n${stderr.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      return JSON.parse(readFileSync(join(data, 'up.json'), 'utf8')) as UpInstance;
    },
    async stop() {
      up.kill('SIGTERM');
      await exited;
    },
  };
}
