/**
 * cctap_alerter_possible_duplicate_notifications_total against real HTTP receivers on 127.0.0.1 and a
 * controllable alert clock: every re-send whose earlier attempt may have reached the receiver is counted (by
 * the alerts in the request), none that certainly did not. Each test checks the chaos audit's invariant with
 * every receipt the receiver saw, whatever it answered: receipts of a notification (key#status#seq) beyond its
 * first <= the counter summed over the alerter's incarnations.
 */
import type { Alert } from '@cctap/events';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@cctap/kit/internal';
import { fromEvent } from '../engine/inputs.js';
import { buildRuleSet } from '../rules/load-rules.js';
import { MemoryAlertStateStore, type AlertRecord, type AlertStateStore } from '../state/alert-record.js';
import { bashCall } from '../testing/contract-events.js';
import { startTestReceiver, type TestReceiver } from '../testing/http-receiver.js';
import { createAlerter, type AlerterService } from './create-alerter.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const COUNTER = 'cctap_alerter_possible_duplicate_notifications_total';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A state store that refuses the puts its test tells it to (as KV does while NATS is down). */
class RefusingStore implements AlertStateStore {
  readonly inner = new MemoryAlertStateStore();
  refuse: (r: AlertRecord) => boolean = () => false;
  refused = 0;
  load() {
    return this.inner.load();
  }
  async put(r: AlertRecord) {
    if (this.refuse(r)) {
      this.refused++;
      throw new Error('store unavailable');
    }
    await this.inner.put(r);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
}

const rules = [
  {
    name: 'danger',
    kind: 'match',
    severity: 'critical',
    types: ['tool.call'],
    whereAny: [{ field: 'payload.command', danger: 'any' }],
    groupWait: '0s',
  },
];

async function startAlerter(hook: TestReceiver, state: AlertStateStore, receiver: Record<string, unknown> = {}) {
  const clock = new ManualClock(T0);
  const rs = buildRuleSet(
    { rulePack: false, receivers: [{ name: 'hook', type: 'webhook', url: hook.url, ...receiver }], rules },
    { env: {} },
  );
  const alerter = createAlerter({ rules: rs, clock, state, tickMs: 1_000_000, retryBaseMs: 50, retryMaxMs: 200 });
  await alerter.start();
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      await alerter.stop();
    }
  };
  cleanups.push(stop);
  const send = (line: string, sessionId: string) =>
    alerter.ingest([fromEvent(bashCall(line, { ts: clock.now(), sessionId }))]);
  return { alerter, send, stop };
}

async function receiver(): Promise<TestReceiver> {
  const r = await startTestReceiver();
  cleanups.push(() => r.close());
  return r;
}

async function counted(a: AlerterService): Promise<number> {
  const metric = await a.metrics.registry.getSingleMetric(COUNTER)?.get();
  return (metric?.values ?? []).reduce((s, v) => s + v.value, 0);
}

/** Every receipt, whatever the receiver answered (stricter than the chaos audit, which counts 2xx only). */
function receiptsBeyondFirst(r: TestReceiver): number {
  const seen = new Map<string, number>();
  for (const q of r.requests) {
    for (const a of (q.json as { alerts: Alert[] }).alerts) {
      const id = `${a.key}#${a.status}#${a.seq}`;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  return [...seen.values()].reduce((s, n) => s + n - 1, 0);
}

const stateOf = (a: AlerterService) => [...a.dispatcher.records.values()].map((r) => r.deliveries.hook?.state);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('possible duplicates: counted when the earlier attempt may have reached the receiver', () => {
  it('a receiver that reads the request, stalls past the timeout, then answers: the retry is counted', async () => {
    const hook = await receiver();
    hook.respond = (n) => (n === 0 ? { status: 200, delayMs: 900 } : { status: 200 });
    const { alerter, send } = await startAlerter(hook, new MemoryAlertStateStore(), { timeout: '300ms' });
    await send('rm -rf /', 's1');
    await expect.poll(() => stateOf(alerter), { timeout: 5000 }).toEqual(['sent']);
    // Normally two requests; a loaded machine may time out the retry too, which is counted just the same.
    expect(hook.requests.length).toBeGreaterThanOrEqual(2);
    expect(hook.requests[1]!.headers['idempotency-key']).toBe(hook.requests[0]!.headers['idempotency-key']);
    expect(receiptsBeyondFirst(hook)).toBe(hook.requests.length - 1);
    expect(await counted(alerter)).toBe(hook.requests.length - 1);
  });

  it('a 503 answer: the retry is counted', async () => {
    const hook = await receiver();
    hook.respond = (n) => ({ status: n === 0 ? 503 : 200 });
    const { alerter, send } = await startAlerter(hook, new MemoryAlertStateStore());
    await send('rm -rf /', 's1');
    await expect.poll(() => stateOf(alerter), { timeout: 5000 }).toEqual(['sent']);
    expect(hook.requests.map((q) => q.status)).toEqual([503, 200]);
    expect(receiptsBeyondFirst(hook)).toBe(1);
    expect(await counted(alerter)).toBe(1);
  });

  it('connection refused and 429 with Retry-After: retried, not counted', async () => {
    const down = await startTestReceiver();
    const port = Number(new URL(down.url).port);
    await down.close();
    const { alerter, send } = await startAlerter(down, new MemoryAlertStateStore());
    await send('rm -rf /', 's1');
    await pause(400);
    const up = await startTestReceiver(port);
    cleanups.push(() => up.close());
    up.respond = (n) => (n === 0 ? { status: 429, headers: { 'retry-after': '0.2' } } : { status: 200 });
    await expect.poll(() => stateOf(alerter), { timeout: 5000 }).toEqual(['sent']);
    const refused = await alerter.metrics.registry.getSingleMetricAsString('cctap_alerter_receiver_requests_total');
    expect(refused).toMatch(/outcome="retry"[^\n]* [1-9]/);
    expect(up.requests.map((q) => q.status)).toEqual([429, 200]);
    expect(receiptsBeyondFirst(up)).toBe(1);
    // The 429 receipt is a request the receiver refused: the audit counts 2xx receipts only, so 0 beyond first.
    expect(up.requests.filter((q) => q.status < 300)).toHaveLength(1);
    expect(await counted(alerter)).toBe(0);
  });

  it('a coalesced request re-sent after a 503 counts only the alerts the earlier attempt carried', async () => {
    const hook = await receiver();
    // Request 0 carries a alone and is held while b and c become pending; request 1 (a, b, c) gets 503 too.
    hook.respond = (n) => (n === 0 ? { status: 503, delayMs: 600 } : n === 1 ? { status: 503 } : { status: 200 });
    const { alerter, send } = await startAlerter(hook, new MemoryAlertStateStore());
    await send('rm -rf /', 'a');
    await expect.poll(() => hook.requests.length).toBe(1);
    await send('rm -rf /', 'b');
    await send('git push --force', 'c');
    await expect.poll(() => stateOf(alerter), { timeout: 5000 }).toEqual(['sent', 'sent', 'sent']);
    expect(hook.requests.map((q) => (q.json as { alerts: Alert[] }).alerts.length)).toEqual([1, 3, 3]);
    // a: 3 receipts, b and c: 2 each. Counted: request 1 repeats a (1), request 2 repeats a, b and c (3).
    expect(receiptsBeyondFirst(hook)).toBe(4);
    expect(await counted(alerter)).toBe(4);
  });
});

describe('possible duplicates across a store failure and a restart', () => {
  it('a "sent" write the store refuses once is written again; nothing is re-sent while the process lives', async () => {
    const hook = await receiver();
    const store = new RefusingStore();
    let once = true;
    store.refuse = (r) => {
      if (once && r.deliveries.hook?.state === 'sent') {
        once = false;
        return true;
      }
      return false;
    };
    const { alerter, send } = await startAlerter(hook, store);
    await send('rm -rf /', 's1');
    await expect.poll(() => store.refused).toBe(1);
    await alerter.dispatcher.flushWrites();
    expect((await store.inner.load()).map((r) => r.deliveries.hook?.state)).toEqual(['sending']);
    await alerter.tick();
    await alerter.dispatcher.flushWrites();
    expect((await store.inner.load()).map((r) => r.deliveries.hook?.state)).toEqual(['sent']);
    await pause(200);
    expect(hook.requests).toHaveLength(1);
    expect(await counted(alerter)).toBe(0);
    expect(await alerter.metrics.registry.getSingleMetricAsString('cctap_alerter_state_write_failures_total')).toMatch(
      / 1$/m,
    );
  });

  it('a 200 whose "sent" write failed, then a crash: the restart re-sends it and counts it', async () => {
    const hook = await receiver();
    const store = new RefusingStore();
    store.refuse = (r) => r.deliveries.hook?.state === 'sent';
    const first = await startAlerter(hook, store);
    await first.send('rm -rf /', 's1');
    await expect.poll(() => store.refused).toBeGreaterThanOrEqual(1);
    // The process dies before the store comes back: what the store holds is all the next one knows.
    await first.stop();
    expect((await store.inner.load()).map((r) => r.deliveries.hook?.state)).toEqual(['sending']);
    store.refuse = () => false;
    const second = await startAlerter(hook, store);
    await expect.poll(() => stateOf(second.alerter), { timeout: 5000 }).toEqual(['sent']);
    expect(hook.requests).toHaveLength(2);
    expect(receiptsBeyondFirst(hook)).toBe(1);
    expect((await counted(first.alerter)) + (await counted(second.alerter))).toBe(1);
  });

  it('a 503, then a crash before the retry: the mark is durable, the restart counts its re-send', async () => {
    const hook = await receiver();
    hook.respond = () => ({ status: 503 });
    const store = new MemoryAlertStateStore();
    const first = await startAlerter(hook, store);
    await first.send('rm -rf /', 's1');
    await expect.poll(async () => (await store.load())[0]?.deliveries.hook?.maybeReceived).toBe(true);
    await first.stop();
    hook.respond = () => ({ status: 200 });
    const second = await startAlerter(hook, store);
    await expect.poll(() => stateOf(second.alerter), { timeout: 5000 }).toEqual(['sent']);
    const total = (await counted(first.alerter)) + (await counted(second.alerter));
    expect(await counted(second.alerter)).toBe(1);
    expect(receiptsBeyondFirst(hook)).toBe(hook.requests.length - 1);
    expect(receiptsBeyondFirst(hook)).toBeLessThanOrEqual(total);
    expect(total).toBe(hook.requests.length - 1);
  });

  it('a "sending" write the store refuses: no request until the store takes it, and nothing to count', async () => {
    const hook = await receiver();
    const store = new RefusingStore();
    store.refuse = (r) => r.deliveries.hook?.state === 'sending';
    const { alerter, send } = await startAlerter(hook, store);
    await send('rm -rf /', 's1');
    await expect.poll(() => store.refused).toBeGreaterThanOrEqual(2);
    expect(hook.requests).toHaveLength(0);
    store.refuse = () => false;
    await expect.poll(() => stateOf(alerter), { timeout: 5000 }).toEqual(['sent']);
    expect(hook.requests).toHaveLength(1);
    expect(await counted(alerter)).toBe(0);
  });
});
