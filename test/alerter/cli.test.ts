/**
 * `cctap alerts` against a real nats-server and a real HTTP receiver, through the built CLI
 * (apps/cctap/dist, which `npm test` builds before vitest runs).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topology, type Alert } from '@cctap/events';
import { connectNats, provision } from '@cctap/kit';
import { buildRuleSet, createAlerter, openKvStores } from '@cctap/alerter';
import { fromEvent, verifySignature } from '@cctap/alerter/internal';
import { bashCall, startTestReceiver } from '@cctap/alerter/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { startNats, type TestNats } from '../support/nats.js';

const CLI = fileURLToPath(new URL('../../apps/cctap/dist/main.js', import.meta.url));
const run = promisify(execFile);
let nats: TestNats;
let nc: NatsConnection;
let dir: string;
const prefix = 'alrc';

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'alerts-cli-test' });
  await provision(nc, { prefix, maxBytes: 16 * 1024 * 1024 });
  dir = mkdtempSync(join(tmpdir(), 'alerts-cli-'));
});
afterAll(async () => {
  await nc?.drain();
  await nats?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cctap = async (...args: string[]) => {
  try {
    const r = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, NATS_URL: nats.url, CCTAP_PREFIX: prefix },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('cctap alerts', () => {
  it('silence is stored in KV, listed, and mutes a running alerter; unsilence ends it', async () => {
    const made = await cctap(
      'alerts',
      'silence',
      '--match',
      'rule=dangerous-command,host=muted-box',
      '--for',
      '2h',
      '--comment',
      'maintenance',
    );
    expect(made.code).toBe(0);
    const id = /silence (s-[0-9a-f]+)/.exec(made.stdout)![1]!;
    const listed = JSON.parse((await cctap('alerts', 'list', '--json')).stdout) as {
      silences: { id: string; comment: string }[];
    };
    expect(listed.silences.map((s) => [s.id, s.comment])).toEqual([[id, 'maintenance']]);

    const hook = await startTestReceiver();
    const stores = await openKvStores(nc, topology(prefix));
    const alerter = createAlerter({
      rules: buildRuleSet({ receivers: [{ name: 'hook', type: 'webhook', url: hook.url }] }, { env: {} }),
      state: stores.alerts,
      silences: stores.silences,
      tickMs: 50,
    });
    await alerter.start();
    try {
      await alerter.ingest([
        fromEvent(bashCall('rm -rf /', { host: 'muted-box' })),
        fromEvent(bashCall('rm -rf /', { host: 'loud-box' })),
      ]);
      await expect.poll(() => hook.requests.length).toBe(1);
      expect((hook.requests[0]!.json as { alerts: Alert[] }).alerts[0]!.host).toBe('loud-box');
      const text = (await cctap('alerts', 'list')).stdout;
      expect(text).toMatch(/firing\s+critical\s+dangerous-command\s+host=loud-box/);
      expect(text).toContain('hook:sent');

      expect((await cctap('alerts', 'unsilence', '--id', id)).code).toBe(0);
      await alerter.refreshSilences();
      await expect.poll(() => hook.requests.length, { timeout: 5000 }).toBe(2);
      expect((hook.requests[1]!.json as { alerts: Alert[] }).alerts[0]!.host).toBe('muted-box');
    } finally {
      await alerter.stop();
      await hook.close();
    }
  });

  it('rejects a bad matcher or duration with one line and exit code 1', async () => {
    const bad = await cctap('alerts', 'silence', '--match', 'nonsense', '--for', '2h');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--match: matcher "nonsense" is not name=value');
    const badFor = await cctap('alerts', 'silence', '--match', 'rule=x', '--for', 'soon');
    expect(badFor.stderr).toContain('--for: not a duration');
  });

  it('test --receiver sends a signed test notification', async () => {
    const hook = await startTestReceiver();
    try {
      const rules = join(dir, 'rules.yaml');
      writeFileSync(
        rules,
        `receivers:\n  - { name: ops, type: webhook, url: "${hook.url}", secret: "\${HOOK_SECRET}" }\n`,
      );
      process.env.HOOK_SECRET = 'cli-secret-0123456789';
      const r = await cctap('alerts', 'test', '--receiver', 'ops', '--rules', rules);
      expect(r.stdout).toContain('test notification delivered to ops');
      const q = hook.requests[0]!;
      expect(
        verifySignature({
          secret: 'cli-secret-0123456789',
          timestamp: String(q.headers['x-cctap-timestamp']),
          signature: String(q.headers['x-cctap-signature']),
          body: q.body,
        }),
      ).toBe(true);
      hook.respond = () => ({ status: 410 });
      const gone = await cctap('alerts', 'test', '--receiver', 'ops', '--rules', rules);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain('HTTP 410');
    } finally {
      await hook.close();
    }
  });
});
