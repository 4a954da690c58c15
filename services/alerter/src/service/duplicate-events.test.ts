/**
 * An event seen again (a redelivery, or a line a collector published again after Claude Code rewrote its
 * transcript: the same line has the same event id) is not a second occurrence, even after its alert resolved.
 */
import type { Alert } from '@cctap/events';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@cctap/kit/internal';
import { fromEvent } from '../engine/inputs.js';
import { buildRuleSet } from '../rules/load-rules.js';
import { MemoryAlertStateStore } from '../state/alert-record.js';
import { MemorySilenceStore } from '../state/silences.js';
import { bashCall } from '../testing/contract-events.js';
import { startTestReceiver } from '../testing/http-receiver.js';
import { createAlerter } from './create-alerter.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const MIN = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('duplicate events', () => {
  it('the same event id delivered again after the alert resolved fires nothing; another event does', async () => {
    const hook = await startTestReceiver();
    const clock = new ManualClock(T0);
    const rs = buildRuleSet(
      {
        rulePack: false,
        receivers: [{ name: 'hook', type: 'webhook', url: hook.url, secret: 'test-secret-0123456789' }],
        rules: [
          {
            name: 'danger',
            kind: 'match',
            severity: 'critical',
            types: ['tool.call'],
            whereAny: [{ field: 'payload.command', danger: 'any' }],
            groupBy: ['host', 'sessionId'],
            groupWait: '0s',
            resolveAfter: '1m',
          },
        ],
      },
      { env: {} },
    );
    const alerter = createAlerter({
      rules: rs,
      clock,
      state: new MemoryAlertStateStore(),
      silences: new MemorySilenceStore(),
      tickMs: 1_000_000,
      retryBaseMs: 50,
      retryMaxMs: 2000,
    });
    await alerter.start();
    cleanups.push(async () => {
      await alerter.stop();
      await hook.close();
    });
    const sent = () =>
      hook.requests.filter((q) => q.status < 300).flatMap((q) => (q.json as { alerts: Alert[] }).alerts);

    const call = fromEvent(bashCall('rm -rf ~', { ts: clock.now(), sessionId: 's1', host: 'box1' }));
    await alerter.ingest([call]);
    await expect.poll(() => sent().length).toBe(1);
    clock.set(T0 + 6 * MIN);
    await alerter.tick();
    await expect.poll(() => sent().map((a) => a.status)).toEqual(['firing', 'resolved']);

    await alerter.ingest([{ ...call }]);
    await alerter.tick();
    await new Promise((r) => setTimeout(r, 100));
    expect(sent()).toHaveLength(2);

    await alerter.ingest([fromEvent(bashCall('rm -rf ~', { ts: clock.now(), sessionId: 's1', host: 'box1' }))]);
    await expect.poll(() => sent().map((a) => a.status)).toEqual(['firing', 'resolved', 'firing']);
  });
});
