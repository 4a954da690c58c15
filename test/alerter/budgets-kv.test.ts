/**
 * Budget alerts with their state in NATS KV (the bucket `budgets` that `provision` creates), across a
 * restart of the alerter: each of 50%, 80%, 100% and the projected overrun reaches a real webhook once, and
 * the responses the first alerter counted (redelivered to the second) are not counted again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topology, type Alert } from '@cctap/events';
import { connectNats, provision } from '@cctap/kit';
import { ManualClock } from '@cctap/kit/internal';
import { buildRuleSet, createAlerter, openKvBudgetStore } from '@cctap/alerter';
import { fromEvent, KvAlertStateStore } from '@cctap/alerter/internal';
import { makeEvent, startTestReceiver, type TestReceiver } from '@cctap/alerter/testing';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { startNats, type TestNats } from '../support/nats.js';
import { waitFor } from '../support/wait-for.js';

let nats: TestNats;
let nc: NatsConnection;
let hook: TestReceiver;

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'budgets-test' });
  hook = await startTestReceiver();
});
afterAll(async () => {
  await hook?.close();
  await nc?.drain();
  await nats?.dispose();
});

// February 10th, 12:00 UTC: 33.9% of the month has passed.
const NOW = Date.parse('2026-02-10T12:00:00Z');

/** A response of $0.055 as the alerter prices it (1K input x $5 + 2K output x $25 per MTok). */
const response = () =>
  fromEvent(
    makeEvent(
      'assistant',
      {
        model: 'claude-opus-4-5',
        usage: {
          input: 1000,
          output: 2000,
          cacheCreation: 0,
          cacheRead: 0,
          cacheCreation5m: 0,
          cacheCreation1h: 0,
          webSearchRequests: 0,
          webFetchRequests: 0,
        },
      },
      { ts: NOW - 60_000 },
    ),
  );

const told = () =>
  hook.requests
    .flatMap((q) => (q.json as { alerts?: Alert[] } | null)?.alerts ?? [])
    .filter((a) => a.rule === 'budget' && a.status === 'firing')
    .map((a) => a.labels.threshold)
    .sort();

describe('budgets on NATS KV', () => {
  it('tells each threshold and the forecast once across an alerter restart', async () => {
    await provision(nc, { prefix: 'bud1', maxBytes: 64 * 1024 * 1024 });
    const t = topology('bud1');
    const alertsKv = await new Kvm(nc).open(t.bucket('alerts'));
    const rules = buildRuleSet(
      {
        rulePack: false,
        receivers: [{ name: 'hook', type: 'webhook', url: hook.url }],
        budgets: [{ name: 'month', amount: 0.2, scope: 'everyone', period: 'monthly' }],
      },
      { env: {} },
    );
    const start = async () => {
      const alerter = createAlerter({
        topology: t,
        rules,
        clock: new ManualClock(NOW),
        state: new KvAlertStateStore(alertsKv),
        budgetState: await openKvBudgetStore(nc, t),
      });
      await alerter.start();
      return alerter;
    };
    const until = (want: string[]) =>
      waitFor(`budget alerts ${want.join(', ')}`, () => (told().length >= want.length ? told() : undefined), 10_000);

    const first = [response(), response()];
    const a1 = await start();
    // $0.11: 55%, and $0.11 / 0.339 of the month projects $0.32.
    await a1.ingest(first);
    expect(await until(['50%', 'forecast'])).toEqual(['50%', 'forecast']);
    await a1.stop();

    const a2 = await start();
    // The first two again (a redelivery) count nothing: $0.165 is 82.5%, not 137.5%.
    await a2.ingest([...first.map((e) => ({ ...e, id: `${e.id}-again` })), response()]);
    expect(await until(['50%', '80%', 'forecast'])).toEqual(['50%', '80%', 'forecast']);
    await a2.ingest([response()]);
    expect(await until(['100%', '50%', '80%', 'forecast'])).toEqual(['100%', '50%', '80%', 'forecast']);
    await a2.stop();

    const states = await (await openKvBudgetStore(nc, t)).load();
    expect(states.map((s) => [s.budget, s.subject, Math.round(s.spent * 1e6) / 1e6, s.told.sort()])).toEqual([
      ['month', 'everyone', 0.22, ['100%', '50%', '80%', 'forecast']],
    ]);
    expect(told()).toHaveLength(4);
  }, 30_000);
});
