/**
 * What cctap keeps on a developer machine is that user's alone: the store, `up.json` and the collector's
 * checkpoints are created 0700 (directories) and 0600 (files), an existing directory left open by an older
 * version is narrowed, and the laptop collector's probes listen on loopback unless told otherwise.
 */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_FIXTURES_DIR } from '../support/paths.js';
import { removeDir, startHarness, tempDir, waitFor, type Harness } from '../collector/support/harness.js';
import { cli, startCctap } from './support/run-cctap.js';

let h: Harness;
const dirs: string[] = [];

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.dispose();
  for (const d of dirs) removeDir(d);
});

function rootWithOneSession(): string {
  const root = tempDir('privacy-root');
  dirs.push(root);
  const project = join(root, 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  copyFileSync(
    join(REAL_FIXTURES_DIR, 'spotter-v2.1.38-rejected-tool-use.jsonl'),
    join(project, '5f0c2a1e-0000-4000-8000-000000000002.jsonl'),
  );
  return root;
}

/** Every path under `dir` (itself included) whose mode lets group or others in, with its mode. */
function openToOthers(dir: string): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    const st = statSync(p);
    if ((st.mode & 0o077) !== 0) out.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
  };
  visit(dir);
  return out;
}

describe('local files and probes', () => {
  it('cctap up creates its store and state private, and narrows a data directory left open', async () => {
    const base = tempDir('privacy-data');
    dirs.push(base);
    const data = join(base, 'data');
    mkdirSync(data);
    chmodSync(data, 0o755);
    const r = await cli([
      'up',
      '--once',
      '--root',
      rootWithOneSession(),
      '--data',
      data,
      '--metrics-port',
      '0',
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(data).length).toBeGreaterThan(2);
    expect(openToOthers(data)).toEqual([]);
  }, 120_000);

  it('cctap collect keeps its checkpoints private and serves its probes on loopback by default', async () => {
    const state = join(tempDir('privacy-state'), 'collector');
    dirs.push(join(state, '..'));
    const r = await cli([
      'collect',
      '--nats',
      h.nats.url,
      '--prefix',
      h.prefix,
      '--root',
      rootWithOneSession(),
      '--state',
      state,
      '--host',
      'privacy',
      '--once',
      '--metrics-port',
      '0',
      '--log-format',
      'json',
      '--log-level',
      'info',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(openToOthers(state)).toEqual([]);
    // --once runs no probe server; the long-running form does, and says where.
    const live = startCctap([
      'collect',
      '--nats',
      h.nats.url,
      '--prefix',
      h.prefix,
      '--root',
      rootWithOneSession(),
      '--state',
      state,
      '--host',
      'privacy',
      '--metrics-port',
      '0',
      '--log-format',
      'json',
      '--log-level',
      'info',
    ]);
    try {
      const line = await waitFor(
        'the probe server line',
        () => /.*"probe server listening".*/.exec(live.stdout() + live.stderr())?.[0],
        30_000,
      );
      const probe = JSON.parse(line) as { host: string; port: number };
      expect(probe).toMatchObject({ host: '127.0.0.1' });
      // Stopped once running: the probes answer before the services start, and a stop signal before then
      // ends the process as the signal does (nothing is in flight yet), not with the graceful exit 0.
      await waitFor(
        'the collector to be ready',
        async () => (await fetch(`http://127.0.0.1:${probe.port}/readyz`)).status === 200,
        30_000,
        100,
      );
    } finally {
      live.child.kill('SIGTERM');
    }
    expect(await live.exit).toBe(0);
  }, 120_000);
});
