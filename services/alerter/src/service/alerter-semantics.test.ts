/**
 * Alertmanager semantics under a controllable clock, delivered to real HTTP receivers on 127.0.0.1.
 */
import type { Alert } from '@cctap/events';
import { alertSchema } from '@cctap/events/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { fromEvent } from '../engine/inputs.js';
import { buildRuleSet } from '../rules/load-rules.js';
import { MemoryAlertStateStore } from '../state/alert-record.js';
import { MemorySilenceStore } from '../state/silences.js';
import { bashCall } from '../testing/contract-events.js';
import { startTestReceiver, type TestReceiver } from '../testing/http-receiver.js';
import { verifySignature } from '../receivers/webhook.js';
import { createAlerter, type AlerterService } from './create-alerter.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const SECRET = 'test-secret-0123456789';
const S = 1000;
const MIN = 60 * S;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { rules?: unknown[]; slack?: boolean; slackInterval?: number } = {}) {
  const hook = await startTestReceiver();
  const slack = opts.slack ? await startTestReceiver() : null;
  const clock = {
    t: T0,
    now() {
      return this.t;
    },
  };
  const rs = buildRuleSet(
    {
      rulePack: false,
      receivers: [
        { name: 'hook', type: 'webhook', url: hook.url, secret: SECRET },
        ...(slack
          ? [
              {
                name: 'team',
                type: 'slack',
                url: slack.url,
                minInterval: opts.slackInterval ?? 1000,
                linkTemplate: 'https://grafana.example/d/s?var-session={{sessionId}}',
              },
            ]
          : []),
      ],
      defaults: { groupWait: '30s', groupInterval: '5m', repeatInterval: '1h', resolveAfter: '10m' },
      rules: opts.rules ?? [
        {
          name: 'danger',
          kind: 'match',
          severity: 'critical',
          types: ['tool.call'],
          whereAny: [{ field: 'payload.command', danger: 'any' }],
          groupBy: ['host', 'sessionId'],
          summary: 'Dangerous {{match}} on {{host}}',
        },
      ],
    },
    { env: {} },
  );
  const silences = new MemorySilenceStore();
  const state = new MemoryAlertStateStore();
  const alerter = createAlerter({
    rules: rs,
    clock,
    state,
    silences,
    tickMs: 1_000_000,
    retryBaseMs: 50,
    retryMaxMs: 2000,
  });
  await alerter.start();
  cleanups.push(async () => {
    await alerter.stop();
    await hook.close();
    await slack?.close();
  });
  const at = async (ms: number) => {
    clock.t = T0 + ms;
    await alerter.tick();
  };
  const send = (line: string, sessionId = 's1', host = 'box1') =>
    alerter.ingest([fromEvent(bashCall(line, { ts: clock.t, sessionId, host }))]);
  return { hook, slack, clock, alerter, silences, state, at, send };
}

const alertsOf = (r: TestReceiver): Alert[][] =>
  r.requests.filter((q) => q.status < 300).map((q) => (q.json as { alerts: Alert[] }).alerts);
const settle = (a: AlerterService) => a.dispatcher.flushWrites().then(() => new Promise((r) => setTimeout(r, 50)));

describe('grouping, updates, repeats and resolution', () => {
  it('waits groupWait, folds occurrences into one alert, updates at groupInterval, repeats, resolves', async () => {
    const { hook, at, send, alerter } = await setup();
    await send('rm -rf ~');
    await at(10 * S);
    await send('git push --force');
    await send('git reset --hard');
    await send('rm -rf /', 's2');
    await at(29 * S);
    await settle(alerter);
    expect(hook.requests).toHaveLength(0);

    await at(30 * S);
    await expect.poll(() => alertsOf(hook).flat().length).toBe(1);
    // s2 started at 10 s: its own group wait ends at 40 s.
    await at(40 * S);
    await expect.poll(() => alertsOf(hook).flat().length).toBe(2);
    const first = alertsOf(hook).flat();
    for (const a of first) expect(alertSchema.safeParse(a).success).toBe(true);
    expect(first[0]).toMatchObject({
      sessionId: 's1',
      status: 'firing',
      seq: 1,
      occurrences: 3,
      severity: 'critical',
      rule: 'danger',
    });
    expect(first[1]).toMatchObject({ sessionId: 's2', occurrences: 1 });

    // A new occurrence inside the group interval waits for it.
    await at(60 * S);
    await send('rm -rf ..');
    await at(5 * MIN + 29 * S);
    await settle(alerter);
    expect(alertsOf(hook).flat()).toHaveLength(2);
    await at(5 * MIN + 30 * S);
    await expect.poll(() => alertsOf(hook).flat().length).toBe(3);
    expect(alertsOf(hook).flat()[2]).toMatchObject({ sessionId: 's1', seq: 2, occurrences: 4, status: 'firing' });

    // s2 resolves resolveAfter (10 min) after its last match, notified at once (its last notice is older than groupInterval).
    await at(10 * MIN + 10 * S);
    await expect.poll(() => alertsOf(hook).flat().length).toBe(4);
    expect(alertsOf(hook).flat()[3]).toMatchObject({ sessionId: 's2', status: 'resolved', seq: 2 });
    expect(alerter.dispatcher.records.size).toBe(1);

    // s1's last match at 60 s: resolves at 11 min, told at the next group interval boundary after 5:30 => 11:00.
    await at(11 * MIN);
    await expect.poll(() => alertsOf(hook).flat().length).toBe(5);
    expect(alertsOf(hook).flat()[4]).toMatchObject({ sessionId: 's1', status: 'resolved', seq: 3 });
    await at(12 * MIN);
    expect(alerter.dispatcher.records.size).toBe(0);
  });

  it('a key that fires again after its resolution was delivered is a new alert, not a repeat', async () => {
    const { hook, at, send, alerter } = await setup({
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
    });
    await send('rm -rf ~');
    await expect.poll(() => alertsOf(hook).flat().length).toBe(1);
    // Resolved 1 min after the match, told at the next group interval boundary (5 min after the first notice).
    await at(5 * MIN);
    await expect.poll(() => alertsOf(hook).flat().length).toBe(2);
    await at(6 * MIN);
    await expect.poll(() => alerter.dispatcher.records.size).toBe(0); // the resolved record is gone
    await send('rm -rf ~');
    await expect.poll(() => alertsOf(hook).flat().length).toBe(3);
    const [first, resolved, again] = alertsOf(hook).flat();
    expect(first).toMatchObject({ status: 'firing', seq: 1 });
    expect(resolved).toMatchObject({ status: 'resolved', key: first!.key });
    expect(again).toMatchObject({ status: 'firing', seq: 1, key: first!.key });
    expect(again!.id).not.toBe(first!.id);
    const keys = hook.requests.filter((q) => q.status < 300).map((q) => q.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('repeats a still-firing alert every repeatInterval', async () => {
    const { hook, at, send } = await setup({
      rules: [
        {
          name: 'danger',
          kind: 'match',
          severity: 'critical',
          types: ['tool.call'],
          whereAny: [{ field: 'payload.command', danger: 'any' }],
          groupWait: '0s',
          resolveAfter: '3h',
        },
      ],
    });
    await send('rm -rf /');
    await expect.poll(() => alertsOf(hook).flat().length).toBe(1);
    await at(59 * MIN);
    await at(60 * MIN);
    await expect.poll(() => alertsOf(hook).flat().length).toBe(2);
    expect(alertsOf(hook).flat()[1]).toMatchObject({ seq: 2, status: 'firing', occurrences: 1 });
  });

  it('drops an alert resolved before its first notification without telling anyone', async () => {
    const { hook, at, send, alerter } = await setup({
      rules: [
        {
          name: 'danger',
          kind: 'match',
          severity: 'critical',
          types: ['tool.call'],
          whereAny: [{ field: 'payload.command', danger: 'any' }],
          groupWait: '5m',
          resolveAfter: '1m',
        },
      ],
    });
    await send('rm -rf /');
    await at(2 * MIN);
    await at(6 * MIN);
    await settle(alerter);
    expect(hook.requests).toHaveLength(0);
    expect(alerter.dispatcher.records.size).toBe(0);
  });
});

describe('inhibition and silences', () => {
  const rules = [
    {
      name: 'danger',
      kind: 'match',
      severity: 'critical',
      types: ['tool.call'],
      whereAny: [{ field: 'payload.command', danger: ['rm-rf-broad'] }],
      groupWait: '0s',
      resolveAfter: '1h',
    },
    {
      name: 'sudo',
      kind: 'match',
      severity: 'warning',
      types: ['tool.call'],
      whereAny: [{ field: 'payload.command', danger: ['sudo'] }],
      groupWait: '10s',
      resolveAfter: '1h',
    },
  ];

  it('a firing critical alert inhibits a warning sharing host and session, not one of another session', async () => {
    const { hook, at, send, alerter } = await setup({ rules });
    await send('sudo rm -rf /');
    await send('sudo ls', 's2');
    await at(10 * S);
    await expect.poll(() => alertsOf(hook).flat().length).toBe(2);
    await settle(alerter);
    const sent = alertsOf(hook)
      .flat()
      .map((a) => `${a.rule}/${a.sessionId}`)
      .sort();
    expect(sent).toEqual(['danger/s1', 'sudo/s2']);
    expect(await alerter.metrics.registry.getSingleMetricAsString('cctap_alerter_notifications_muted_total')).toMatch(
      /reason="inhibited"[^\n]* 1/,
    );
  });

  it('a silence mutes matching alerts until it ends; then they are notified', async () => {
    const { hook, at, send, alerter, silences } = await setup({ rules });
    await silences.put({
      id: 'sil1',
      matchers: [
        { name: 'rule', value: 'danger' },
        { name: 'host', value: 'box1' },
      ],
      startsAt: T0,
      endsAt: T0 + 20 * MIN,
      createdBy: 't',
      comment: 'maintenance',
    });
    await alerter.refreshSilences();
    await send('rm -rf /');
    await send('rm -rf /', 's1', 'box2');
    await at(1 * S);
    await expect.poll(() => alertsOf(hook).flat().length).toBe(1);
    expect(alertsOf(hook).flat()[0]!.labels.host).toBe('box2');
    await at(10 * MIN);
    await send('rm -rf ~');
    await at(19 * MIN);
    await settle(alerter);
    expect(alertsOf(hook).flat()).toHaveLength(1);
    await at(20 * MIN);
    await expect.poll(() => alertsOf(hook).flat().length).toBe(2);
    expect(alertsOf(hook).flat()[1]).toMatchObject({ status: 'firing', occurrences: 2, labels: { host: 'box1' } });
  });
});

describe('webhook and Slack delivery', () => {
  it('signs the body (HMAC over timestamp and body) and sends an idempotency key', async () => {
    const { hook, send, clock } = await setup({
      rules: [
        {
          name: 'danger',
          kind: 'match',
          severity: 'critical',
          types: ['tool.call'],
          whereAny: [{ field: 'payload.command', danger: 'any' }],
          groupWait: '0s',
        },
      ],
    });
    await send('curl -s https://x | sh');
    await expect.poll(() => hook.requests.length).toBe(1);
    const r = hook.requests[0]!;
    const ts = String(r.headers['x-cctap-timestamp']);
    const sig = String(r.headers['x-cctap-signature']);
    expect(verifySignature({ secret: SECRET, timestamp: ts, signature: sig, body: r.body })).toBe(true);
    expect(
      verifySignature({ secret: SECRET, timestamp: ts, signature: sig, body: r.body.replace('curl', 'CURL') }),
    ).toBe(false);
    expect(verifySignature({ secret: 'another-secret-0123456', timestamp: ts, signature: sig, body: r.body })).toBe(
      false,
    );
    expect(
      verifySignature({ secret: SECRET, timestamp: String(Number(ts) - 3600), signature: sig, body: r.body }),
    ).toBe(false);
    const alert = (r.json as { alerts: Alert[] }).alerts[0]!;
    expect(r.headers['idempotency-key']).toBe(`${alert.key}@${Date.parse(alert.startsAt)}#firing#1`);
    expect(alert.evidence).toMatchObject({ command: 'curl -s https://x | sh', findings: ['curl-pipe-shell'] });
    expect(clock.t).toBe(T0);
  });

  it('coalesces alerts pending for Slack into one message per interval', async () => {
    const { slack, send, alerter } = await setup({
      slack: true,
      slackInterval: 1000,
      rules: [
        {
          name: 'danger',
          kind: 'match',
          severity: 'critical',
          types: ['tool.call'],
          whereAny: [{ field: 'payload.command', danger: 'any' }],
          groupWait: '0s',
          receivers: ['team'],
        },
      ],
    });
    await send('rm -rf /', 'a');
    await expect.poll(() => slack!.requests.length).toBe(1);
    await send('rm -rf /', 'b');
    await send('git push -f', 'c');
    await send('chmod -R 777 /srv', 'd');
    await settle(alerter);
    await expect.poll(() => slack!.requests.length, { timeout: 3000 }).toBe(2);
    const [one, three] = slack!.requests.map(
      (q) => q.json as { text: string; blocks: { type: string; text?: { text: string } }[] },
    );
    expect(one!.text).toContain('CRITICAL');
    expect(three!.text).toBe('3 alerts (3 firing, 0 resolved)');
    expect(slack!.requests[1]!.at - slack!.requests[0]!.at).toBeGreaterThanOrEqual(950);
    const texts = JSON.stringify(three!.blocks);
    expect(texts).toContain('chmod -R 777 /srv');
    expect(texts).toContain('var-session=d');
  });

  it('honours 429 Retry-After, retries 5xx until the receiver is back, and stops at 400', async () => {
    const { hook, send, alerter } = await setup({
      rules: [
        {
          name: 'danger',
          kind: 'match',
          severity: 'critical',
          types: ['tool.call'],
          whereAny: [{ field: 'payload.command', danger: 'any' }],
          groupWait: '0s',
        },
      ],
    });
    hook.respond = (n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : n === 1 ? { status: 503 } : { status: 200 };
    await send('rm -rf /', 'r1');
    await expect.poll(() => hook.requests.length, { timeout: 5000 }).toBe(3);
    expect(hook.requests[1]!.at - hook.requests[0]!.at).toBeGreaterThanOrEqual(950);
    expect(hook.requests.map((q) => q.headers['idempotency-key'])).toEqual(
      Array(3).fill(hook.requests[0]!.headers['idempotency-key']),
    );
    await settle(alerter);
    const key = (hook.requests[2]!.json as { alerts: Alert[] }).alerts[0]!.key;
    expect(alerter.dispatcher.records.get(key)!.deliveries.hook!.state).toBe('sent');

    hook.respond = () => ({ status: 400 });
    await send('rm -rf /', 'r2');
    await expect.poll(() => hook.requests.length).toBe(4);
    await new Promise((r) => setTimeout(r, 300));
    expect(hook.requests).toHaveLength(4);
    await settle(alerter);
    const key2 = (hook.requests[3]!.json as { alerts: Alert[] }).alerts[0]!.key;
    expect(alerter.dispatcher.records.get(key2)!.deliveries.hook).toMatchObject({
      state: 'failed',
      error: 'HTTP 400: no',
    });
    expect(await alerter.metrics.registry.getSingleMetricAsString('cctap_alerter_delivery_failures_total')).toMatch(
      /receiver="hook"[^\n]* 1/,
    );
  });

  it('delivers after a receiver that was down comes back', async () => {
    const down = await startTestReceiver();
    const url = down.url;
    const port = Number(new URL(url).port);
    await down.close();
    const clock = {
      t: T0,
      now() {
        return this.t;
      },
    };
    const rs = buildRuleSet(
      {
        rulePack: false,
        receivers: [{ name: 'hook', type: 'webhook', url }],
        rules: [
          {
            name: 'danger',
            kind: 'match',
            severity: 'critical',
            types: ['tool.call'],
            whereAny: [{ field: 'payload.command', danger: 'any' }],
            groupWait: '0s',
          },
        ],
      },
      { env: {} },
    );
    const alerter = createAlerter({ rules: rs, clock, tickMs: 1_000_000, retryBaseMs: 100, retryMaxMs: 300 });
    await alerter.start();
    await alerter.ingest([fromEvent(bashCall('rm -rf /', { ts: T0 }))]);
    await new Promise((r) => setTimeout(r, 500));
    const up = await startTestReceiver(port);
    cleanups.push(async () => {
      await alerter.stop();
      await up.close();
    });
    await expect.poll(() => up.requests.length, { timeout: 5000 }).toBe(1);
    expect((up.requests[0]!.json as { alerts: Alert[] }).alerts[0]!.status).toBe('firing');
  });
});
