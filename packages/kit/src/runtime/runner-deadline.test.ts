/**
 * The shutdown deadline ends the process even when a thread is stuck in a native call that never returns.
 * process.exit joins worker threads, so a stuck one held the exit for ever (seen with the embedded engine on
 * a full disk); the runner's hard stop must not wait for it. The stuck thread here is a worker blocked in a
 * synchronous child process (native code that termination cannot interrupt) for half a minute.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUNNER = pathToFileURL(join(fileURLToPath(new URL('.', import.meta.url)), '../../dist/runtime/runner.js')).href;
const LOGGER = pathToFileURL(join(fileURLToPath(new URL('.', import.meta.url)), '../../dist/log/logger.js')).href;
const METRICS = pathToFileURL(
  join(fileURLToPath(new URL('.', import.meta.url)), '../../dist/metrics/registry.js'),
).href;

const program = `
import { Worker } from 'node:worker_threads';
import { runServices } from ${JSON.stringify(RUNNER)};
import { createLogger } from ${JSON.stringify(LOGGER)};
import { createMetrics } from ${JSON.stringify(METRICS)};
new Worker("require('node:child_process').execSync('sleep 30')", { eval: true, execArgv: [] });
const stuck = { name: 'stuck', start: async () => {}, stop: () => new Promise(() => {}), health: () => ({ ready: true }) };
await runServices({ services: [stuck], logger: createLogger({ service: 't', format: 'json' }), metrics: createMetrics('t'), metricsPort: 0, metricsHost: '127.0.0.1', shutdownTimeoutMs: 500 });
console.log('running');
`;

describe('runner deadline', () => {
  it('ends the process past the deadline although a thread is stuck in native code', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', program], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    while (!out.includes('running')) {
      if (child.exitCode !== null) throw new Error(`the program ended early: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = Date.now();
    child.kill('SIGTERM');
    const bound = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still running 20 s after SIGTERM:\n${err}`)), 20_000),
    );
    const end = await Promise.race([ended, bound]);
    child.kill('SIGKILL');
    expect(end.signal, err).toBe('SIGKILL');
    expect(err).toContain('graceful stop exceeded its deadline');
    expect(end.at - t0).toBeLessThan(15_000);
  }, 30_000);
});
