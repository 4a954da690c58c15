/**
 * The shipped `unpriced-model` rule end to end through the alerter: prices from the book it was given,
 * notifications to a real HTTP receiver on 127.0.0.1.
 */
import type { Alert } from '@cctap/events';
import { shippedBook, type PriceBook } from '@cctap/prices';
import { mergePriceText } from '@cctap/prices/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { fromEvent } from '../engine/inputs.js';
import { buildRuleSet } from '../rules/load-rules.js';
import { makeEvent } from '../testing/contract-events.js';
import { startTestReceiver } from '../testing/http-receiver.js';
import { createAlerter } from './create-alerter.js';

const T0 = Date.parse('2026-12-06T10:00:00.000Z');
const MIN = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(prices?: PriceBook) {
  const hook = await startTestReceiver();
  const clock = {
    t: T0,
    now() {
      return this.t;
    },
  };
  const rs = buildRuleSet({ receivers: [{ name: 'hook', type: 'webhook', url: hook.url }] }, { env: {} });
  const alerter = createAlerter({
    rules: rs,
    clock,
    tickMs: 1_000_000,
    retryBaseMs: 50,
    ...(prices ? { prices } : {}),
  });
  await alerter.start();
  cleanups.push(async () => {
    await alerter.stop();
    await hook.close();
  });
  const response = (model: string, env: { sessionId: string; host: string }, synthetic = false) =>
    alerter.ingest([fromEvent(makeEvent('assistant', { model, synthetic }, { ...env, ts: clock.t }))]);
  const advance = async (ms: number) => {
    clock.t += ms;
    await alerter.tick();
  };
  const notified = async () => {
    await alerter.dispatcher.flushWrites();
    await new Promise((r) => setTimeout(r, 50));
    return hook.requests
      .filter((q) => q.status < 300)
      .flatMap((q) => (q.json as { alerts: Alert[] }).alerts)
      .filter((a) => a.rule === 'unpriced-model');
  };
  return { response, advance, notified };
}

describe('unpriced-model alert', () => {
  it('fires once per newly seen model, however many responses, sessions and hosts use it', async () => {
    const { response, advance, notified } = await setup();
    await response('claude-opus-4-9', { sessionId: 's1', host: 'a' });
    await advance(1000);
    for (let i = 0; i < 30; i++) {
      await response('claude-opus-4-9', { sessionId: `s${i % 4}`, host: i % 2 ? 'a' : 'b' });
      await advance(10 * MIN);
    }
    await response('deepseek-chat', { sessionId: 's9', host: 'b' });
    await response('claude-opus-5-5', { sessionId: 's9', host: 'b' });
    await response('<synthetic>', { sessionId: 's9', host: 'b' }, true);
    await advance(1000);
    // Delivery runs in the receiver's worker, on real time: wait for the second, then check nothing else came.
    await expect.poll(async () => (await notified()).length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    const alerts = await notified();
    expect(alerts.map((a) => [a.status, a.labels['payload.model']])).toEqual([
      ['firing', 'claude-opus-4-9'],
      ['firing', 'deepseek-chat'],
    ]);
    expect(alerts[0]!.summary).toBe('No price for model claude-opus-4-9: its usage is not in any cost');
  });

  it('stays quiet for a model the user price file adds', async () => {
    const prices = mergePriceText(
      shippedBook(),
      'models:\n  claude-opus-4-9: { rates: { input: 5, output: 25 } }\n',
      'test',
      'yaml',
    );
    const { response, advance, notified } = await setup(prices);
    await response('claude-opus-4-9', { sessionId: 's1', host: 'a' });
    await advance(1000);
    expect(await notified()).toEqual([]);
  });
});
