/**
 * How a failed command reads: one line, `cctap <command>: …`, no stack trace unless `--debug`.
 *
 * A --metrics-port that is already taken ends every long-running command at once (exit 1) with a line naming
 * the port and what to do; it is checked before the store opens or NATS is awaited, so neither a store nor
 * a wait for the (unreachable) server happens. It used to print a stack trace and then hang for ever on
 * the NATS connection it had already opened.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { cli } from './support/run-cctap.js';

const STACK_LINE = /^\s+at /m;

let dir: string;
let holder: Server;
let port: number;
let noNats: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-failure-lines-'));
  mkdirSync(join(dir, 'claude'));
  holder = createServer();
  port = await new Promise<number>((resolve) =>
    holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)),
  );
  // Nothing listens here: a command that got as far as connecting would print "waiting for NATS".
  noNats = `nats://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await new Promise((r) => holder.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('a taken --metrics-port', () => {
  const commands: Array<[string, () => string[]]> = [
    ['up', () => ['up', '--root', join(dir, 'claude'), '--data', join(dir, 'up-data')]],
    ['collect', () => ['collect', '--nats', noNats, '--root', join(dir, 'claude'), '--state', join(dir, 'state')]],
    ['validator', () => ['validator', '--nats', noNats]],
  ];

  it.each(commands)('ends cctap %s at once with one line naming the port and what to do', async (name, args) => {
    const started = Date.now();
    const r = await cli([...args(), '--metrics-port', String(port)], {}, 30_000);
    const seconds = (Date.now() - started) / 1000;
    expect(r.code, r.stderr).toBe(1);
    const said = r.stderr.split('\n').filter((l) => l.startsWith('cctap '));
    expect(said).toEqual([
      expect.stringMatching(
        new RegExp(
          `^cctap ${name}: --metrics-port ${port}: port ${port} on [\\d.]+ is already in use .*--metrics-port 0 for a free port, or another port$`,
        ),
      ),
    ]);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toContain('waiting for NATS');
    if (name === 'up')
      expect(existsSync(join(dir, 'up-data')), 'up opened its store before checking the port').toBe(false);
    console.log(`cctap ${name} with a taken port ended in ${seconds.toFixed(2)}s`);
  });

  it('shows the stack trace and its cause with --debug', async () => {
    const r = await cli(['validator', '--nats', noNats, '--metrics-port', String(port), '--debug'], {}, 30_000);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`cctap validator: --metrics-port ${port}: port ${port}`);
    expect(r.stderr).toMatch(STACK_LINE);
    expect(r.stderr).toMatch(/caused by: Error: listen EADDRINUSE/);
  });
});

describe('an unexpected error', () => {
  // A --data that runs through a regular file: the store directory cannot be made.
  const args = () => ['migrate', '--data', join(dir, 'a-file', 'data')];
  beforeAll(() => writeFileSync(join(dir, 'a-file'), 'not a directory\n'));

  it('is one line that points at --debug, exit 1', async () => {
    const r = await cli(args(), {}, 60_000);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^cctap migrate: ENOTDIR: .* \(run with --debug for details\)$/),
    ]);
  });

  it('shows its stack with --debug, wherever the flag is', async () => {
    for (const argv of [
      [...args(), '--debug'],
      ['--debug', ...args()],
    ]) {
      const r = await cli(argv, {}, 60_000);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^cctap migrate: ENOTDIR: /);
      expect(r.stderr).toMatch(STACK_LINE);
      expect(r.stderr).not.toContain('run with --debug');
    }
  });
});
