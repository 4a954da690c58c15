/**
 * NATS is not there yet. Every command says "waiting for NATS at <url>" at once and logs each retry with its
 * attempt number; long-running services keep waiting (with /livez answering and /readyz 503) and go on
 * as soon as a real nats-server starts on that port; one-shot commands give up after CCTAP_WAIT_SECONDS
 * with one line and exit 4; Ctrl-C while waiting closes what was opened (the store, up.json).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type TestNats } from '../support/nats.js';
import { cli, exitWithin, startCctap, waitUntil, type Running } from './support/run-cctap.js';

let dir: string;
let nats: TestNats;
const started: Running[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-nats-down-'));
  mkdirSync(join(dir, 'claude'));
  // A real server's port with nothing listening on it: stopped now, started again on the same port below.
  nats = await startNats({ requireControl: true });
  await nats.stop();
});
afterAll(async () => {
  for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await nats.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const STACK_LINE = /^\s+at /m;

/** The probe port a service logged (`--metrics-port 0`): JSON or pretty log lines. */
function probePort(stderr: string): number | undefined {
  const m = /probe server listening.*?"?port"?[=:](\d+)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

async function status(port: number, path: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}${path}`)).status;
}

describe('NATS down', () => {
  it('a one-shot command gives up after CCTAP_WAIT_SECONDS: one line, exit 4', async () => {
    const r = await cli(['provision', '--nats', nats.url], { CCTAP_WAIT_SECONDS: '2' }, 30_000);
    expect(r.code, r.stderr).toBe(4);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^waiting for NATS at ${nats.url}: .*\\(attempt 1, next in [\\d.]+s, giving up after 2s\\)$`),
    );
    expect(lines.some((l) => l.includes('(attempt 2, next in'))).toBe(true);
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^cctap provision: gave up waiting for NATS at ${nats.url} after 2s \\(\\d+ attempts, last: .*\\); start it or fix the address, or set CCTAP_WAIT_SECONDS`,
      ),
    );
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('collect --once is one-shot too: its log says it waits, then one line, exit 4', async () => {
    const r = await cli(
      ['collect', '--once', '--nats', nats.url, '--root', join(dir, 'claude'), '--state', join(dir, 'once-state')],
      { CCTAP_WAIT_SECONDS: '1' },
      30_000,
    );
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain(`"msg":"waiting for NATS at ${nats.url}: `);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(`^cctap collect: gave up waiting for NATS at ${nats.url} after 1s `),
    );
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('Ctrl-C while up waits closes its store and lets go of up.json, exit 130', async () => {
    const data = join(dir, 'stopped-data');
    const up = startCctap([
      'up',
      '--nats',
      nats.url,
      '--data',
      data,
      '--root',
      join(dir, 'claude'),
      '--metrics-port',
      '0',
    ]);
    started.push(up);
    await waitUntil('up waiting for NATS', () => up.stderr().includes('attempt 2, next in'), 30_000, up.stderr);
    expect(existsSync(join(data, 'up.json'))).toBe(true);
    up.child.kill('SIGINT');
    expect(await exitWithin(up, 30_000, 'up after SIGINT while waiting'), up.stderr()).toBe(130);
    expect(up.stderr()).toContain(`cctap up: stopped (SIGINT) while waiting for NATS at ${nats.url}`);
    expect(up.stderr()).not.toMatch(STACK_LINE);
    expect(existsSync(join(data, 'up.json')), 'up.json left behind').toBe(false);
  });

  it('services wait, saying so, and go on once NATS starts; a one-shot command within its wait does too', async () => {
    const url = nats.url;
    const runs: Record<string, Running> = {
      validator: startCctap(['validator', '--nats', url, '--metrics-port', '0']),
      collect: startCctap([
        'collect',
        '--nats',
        url,
        '--metrics-port',
        '0',
        '--root',
        join(dir, 'claude'),
        '--state',
        join(dir, 'state'),
      ]),
      up: startCctap([
        'up',
        '--nats',
        url,
        '--data',
        join(dir, 'up-data'),
        '--root',
        join(dir, 'claude'),
        '--metrics-port',
        '0',
      ]),
      provision: startCctap(['provision', '--nats', url], { CCTAP_WAIT_SECONDS: '120' }),
    };
    started.push(...Object.values(runs));

    for (const [name, r] of Object.entries(runs)) {
      // Retries are visible: the second attempt is logged with its number.
      await waitUntil(
        `${name} logging its second attempt`,
        () => r.stderr().includes('attempt 2, next in'),
        30_000,
        r.stderr,
      );
      expect(r.stderr(), name).toContain(`waiting for NATS at ${url}`);
      expect(r.child.exitCode, `${name} ended while NATS was down:\n${r.stderr()}`).toBeNull();
    }
    // The probe answers while the service waits: alive, not ready.
    const validatorPort = probePort(runs.validator!.stderr());
    expect(validatorPort, runs.validator!.stderr()).toBeDefined();
    expect(await status(validatorPort!, '/livez')).toBe(200);
    expect(await status(validatorPort!, '/readyz')).toBe(503);

    await nats.start();

    expect(await exitWithin(runs.provision!, 30_000, 'provision once NATS started'), runs.provision!.stderr()).toBe(0);
    expect(runs.provision!.stdout()).toMatch(/\d+ created/);
    for (const name of ['validator', 'collect', 'up']) {
      const r = runs[name]!;
      await waitUntil(
        `${name} going on once NATS started`,
        () => /NATS at \S+ is reachable after \d+ attempts/.test(r.stderr()),
        30_000,
        r.stderr,
      );
      const port = probePort(r.stderr());
      expect(port, r.stderr()).toBeDefined();
      await waitUntil(`${name} ready`, async () => (await status(port!, '/readyz')) === 200, 30_000, r.stderr);
    }
    for (const name of ['validator', 'collect', 'up']) {
      const r = runs[name]!;
      r.child.kill('SIGTERM');
      expect(await exitWithin(r, 30_000, `${name} after SIGTERM`), r.stderr().slice(-2000)).toBe(0);
      expect(r.stderr(), name).not.toMatch(STACK_LINE);
    }
  });
});
