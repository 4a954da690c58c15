/**
 * `cctap alerts` on a data directory no `cctap up` runs on: a silence is written into the alert journal
 * (the next `up` reads it), `list` shows it, and `test` sends a test notification through a receiver given
 * by flag or environment (the same ones `up` reads); without any receiver it says what is needed in one line.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@cctap/events';
import { startTestReceiver, type TestReceiver } from '@cctap/alerter/testing';
import { cli } from './support/run-cctap.js';

let dir: string;
let hook: TestReceiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-alerts-offline-'));
  hook = await startTestReceiver();
});
afterAll(async () => {
  await hook?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cctap alerts without a running cctap up', () => {
  it('silences, lists and tests on the data directory', async () => {
    const data = join(dir, 'data');
    mkdirSync(data); // what `cctap up --data` made; its alert journal is written on first use

    const silenced = await cli([
      'alerts',
      'silence',
      '--match',
      'rule=loop-detected',
      '--for',
      '30m',
      '--comment',
      'offline',
      '--data',
      data,
    ]);
    expect(silenced.code, silenced.stderr).toBe(0);
    const listed = await cli(['alerts', 'list', '--json', '--data', data]);
    expect(
      (JSON.parse(listed.stdout) as { silences: { comment: string; matchers: { name: string; value: string }[] }[] })
        .silences,
    ).toMatchObject([{ comment: 'offline', matchers: [{ name: 'rule', value: 'loop-detected' }] }]);

    const none = await cli(['alerts', 'test', '--receiver', 'webhook', '--data', data]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toEqual([
      `cctap alerts: --rules FILE (or --webhook-url URL / --slack-webhook-url URL, or CCTAP_RULES / CCTAP_WEBHOOK_URL) is needed: no cctap up runs on ${data} to test its receivers`,
    ]);

    const byFlag = await cli(['alerts', 'test', '--receiver', 'webhook', '--webhook-url', hook.url, '--data', data]);
    expect(byFlag.stdout, byFlag.stderr).toContain('test notification delivered to webhook (HTTP 200)');
    const byEnv = await cli(['alerts', 'test', '--receiver', 'webhook', '--data', data], {
      CCTAP_WEBHOOK_URL: hook.url,
    });
    expect(byEnv.stdout, byEnv.stderr).toContain('test notification delivered to webhook (HTTP 200)');
    const tests = hook.requests
      .flatMap((q) => (q.json as { alerts?: Alert[] } | null)?.alerts ?? [])
      .filter((a) => a.rule === 'test-notification');
    expect(tests).toHaveLength(2);
  }, 90_000);
});
