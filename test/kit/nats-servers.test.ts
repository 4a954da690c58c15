/**
 * `--nats` takes the servers of a cluster: a comma-separated list on the command line, in the environment
 * or in a config file (where a YAML list works too), and the connection uses the others when one is down.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseConfigShape, connectNats, loadConfig, natsConfigShape, natsOptionsFromConfig } from '@cctap/kit';
import { freePort } from '../support/free-port.js';
import { startNats, type TestNats } from '../support/nats.js';

const shape = { ...baseConfigShape, ...natsConfigShape };
let dir: string;
let nats: TestNats;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-nats-servers-'));
  nats = await startNats();
});
afterAll(async () => {
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('--nats with several servers', () => {
  it('is one comma-separated value from a flag, the environment, a repeated flag or a config file list', () => {
    const list = 'nats://a:4222,nats://b:4222,nats://c:4222';
    expect(loadConfig({ shape, argv: ['--nats', list], env: {} }).nats).toBe(list);
    expect(loadConfig({ shape, argv: [], env: { NATS_URL: list } }).nats).toBe(list);
    expect(
      loadConfig({ shape, argv: ['--nats', 'nats://a:4222', '--nats', 'nats://b:4222,nats://c:4222'], env: {} }).nats,
    ).toBe(list);
    const file = join(dir, 'servers.yaml');
    writeFileSync(file, 'nats:\n  - nats://a:4222\n  - nats://b:4222\n  - nats://c:4222\n');
    expect(loadConfig({ shape, argv: ['--config', file], env: {} }).nats).toBe(list);
    writeFileSync(file, `nats: ${list}\n`);
    expect(loadConfig({ shape, argv: ['--config', file], env: {} }).nats).toBe(list);
    // Other string options keep "the last one wins".
    expect(loadConfig({ shape, argv: ['--prefix', 'a', '--prefix', 'b'], env: {} }).prefix).toBe('b');
  });

  it('connects through the next server when the first one is down', async () => {
    const down = `nats://127.0.0.1:${await freePort()}`;
    const cfg = loadConfig({ shape, argv: ['--nats', `${down}, ${nats.url}`], env: {} });
    const nc = await connectNats({ ...natsOptionsFromConfig(cfg, 'servers-test'), waitOnFirstConnect: false });
    try {
      expect(`nats://${nc.getServer()}`).toBe(nats.url);
    } finally {
      await nc.close();
    }
  });
});
