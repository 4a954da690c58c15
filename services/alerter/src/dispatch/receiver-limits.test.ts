/**
 * Per-receiver grouping and the storm cap, against real HTTP receivers on 127.0.0.1, with alert state in the
 * journal file `cctap up` uses (so a restart is a new alerter on the same file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '@cctap/events';
import { afterEach, describe, expect, it } from 'vitest';
import { fromEvent } from '../engine/inputs.js';
import { buildRuleSet } from '../rules/load-rules.js';
import { createAlerter } from '../service/create-alerter.js';
import { openFileStores } from '../state/file-stores.js';
import { bashCall, fileCall } from '../testing/contract-events.js';
import { startTestReceiver, type TestReceiver } from '../testing/http-receiver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const RULES = [
  {
    name: 'danger',
    kind: 'match',
    severity: 'critical',
    types: ['tool.call'],
    whereAny: [{ field: 'payload.command', danger: 'any' }],
    groupBy: ['sessionId'],
    groupWait: '0s',
  },
  {
    name: 'secrets',
    kind: 'match',
    severity: 'warning',
    types: ['tool.call'],
    whereAny: [{ field: 'payload.filePath', secretPath: true }],
    groupBy: ['sessionId'],
    groupWait: '0s',
  },
];

async function alerterOn(hook: TestReceiver, dir: string, receiver: Record<string, unknown>) {
  const rules = buildRuleSet(
    {
      rulePack: false,
      inhibitEqual: [],
      receivers: [{ name: 'hook', type: 'webhook', url: hook.url, ...receiver }],
      rules: RULES,
    },
    { env: {} },
  );
  const stores = openFileStores(dir);
  const alerter = createAlerter({
    rules,
    state: stores.alerts,
    silences: stores.silences,
    tickMs: 20,
    retryBaseMs: 20,
    retryMaxMs: 100,
  });
  await alerter.start();
  const stop = async () => {
    await alerter.stop();
    await stores.alerts.close();
    await stores.silences.close();
  };
  return { alerter, stop };
}

const answered = (r: TestReceiver): Alert[][] =>
  r.requests.filter((q) => q.status < 300).map((q) => (q.json as { alerts: Alert[] }).alerts);

async function setup() {
  const hook = await startTestReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'alerter-limits-'));
  cleanups.push(async () => {
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { hook, dir };
}

describe('receiver limits', () => {
  it('groupBy rule with groupWait: one request per rule, carrying every alert of that rule', async () => {
    const { hook, dir } = await setup();
    const { alerter, stop } = await alerterOn(hook, dir, {
      groupBy: ['rule'],
      groupWait: '300ms',
      groupInterval: '1h',
    });
    cleanups.push(stop);
    for (const s of ['s1', 's2', 's3']) {
      await alerter.ingest([
        fromEvent(bashCall('rm -rf /', { sessionId: s })),
        fromEvent(fileCall('Read', '/app/.env', { sessionId: s })),
      ]);
    }
    await expect.poll(() => answered(hook).length, { timeout: 5000 }).toBe(2);
    const byRule = answered(hook).map(
      (alerts) =>
        [...new Set(alerts.map((a) => a.rule))].join() +
        ':' +
        alerts
          .map((a) => a.sessionId)
          .sort()
          .join(),
    );
    expect(byRule.sort()).toEqual(['danger:s1,s2,s3', 'secrets:s1,s2,s3']);
    // A new alert of a group that just sent waits for its groupInterval (an hour here).
    await alerter.ingest([fromEvent(bashCall('rm -rf /', { sessionId: 's4' }))]);
    await new Promise((r) => setTimeout(r, 500));
    expect(answered(hook)).toHaveLength(2);
  });

  it('caps a storm, summarizes the rest per rule, and owes an unsent summary across a restart', async () => {
    const { hook, dir } = await setup();
    // The receiver takes alerts but refuses summaries until told otherwise.
    let summariesOk = false;
    hook.respond = (_n, req) => ({ status: req.body.includes('"suppressed"') && !summariesOk ? 503 : 200 });
    const receiver = { cap: { alerts: 3, window: '1h', summaryInterval: '100ms' } };
    const first = await alerterOn(hook, dir, receiver);
    await first.alerter.ingest(
      Array.from({ length: 40 }, (_, i) => fromEvent(bashCall('rm -rf /', { sessionId: `s${i}` }))),
    );
    await expect
      .poll(() => first.alerter.pendingDeliveries(), { timeout: 5000 })
      .toEqual({ toSend: 0, toSummarize: 37 });
    expect(answered(hook).flat()).toHaveLength(3);
    await first.stop();

    summariesOk = true;
    const second = await alerterOn(hook, dir, receiver);
    cleanups.push(second.stop);
    await expect
      .poll(() => second.alerter.pendingDeliveries(), { timeout: 5000 })
      .toEqual({ toSend: 0, toSummarize: 0 });
    const summary = answered(hook)
      .flat()
      .filter((a) => a.labels.suppressed !== undefined);
    expect(summary.map((a) => [a.rule, a.occurrences, a.summary])).toEqual([
      ['danger', 37, '37 more alerts of rule danger suppressed (receiver hook reached its cap; see cctap alerts list)'],
    ]);
    // Individually: the first three, once each, never more.
    expect(
      answered(hook)
        .flat()
        .filter((a) => a.labels.suppressed === undefined),
    ).toHaveLength(3);
    const states = [...second.alerter.dispatcher.records.values()].map((r) => r.deliveries.hook?.state);
    expect(states.filter((s) => s === 'sent')).toHaveLength(3);
    expect(states.filter((s) => s === 'summarized')).toHaveLength(37);
  });
});
