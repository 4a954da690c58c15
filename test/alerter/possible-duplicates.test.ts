/**
 * The alerter on a real nats-server (JetStream in, KV state, CCTAP_ALERTS out) against real HTTP receivers
 * that stall past the timeout, answer 503, or refuse connections: the chaos audit (test/chaos/alert-audit.ts)
 * holds (nothing lost, every KV delivery sent, receipts beyond the first <= the possible-duplicate counter),
 * and the counter is exact here: the stall and the 503 are counted, the refused connection is not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { batchMsgId, SCHEMA_VERSION, topology, type Alert, type CctapEvent } from '@cctap/events';
import { connectNats, createJetStreamBus, provision } from '@cctap/kit';
import { buildRuleSet, createAlerter } from '@cctap/alerter';
import { KvAlertStateStore, KvSilenceStore } from '@cctap/alerter/internal';
import { bashCall, startTestReceiver } from '@cctap/alerter/testing';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { auditAlerts } from '../chaos/alert-audit.js';
import { startNats, type TestNats } from '../support/nats.js';

let nats: TestNats;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'alerter-dup-test' });
});
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(async () => {
  await nc?.drain();
  await nats?.dispose();
});

describe('possible duplicates on JetStream + KV', () => {
  it('counts the retry after a stalled answer and after a 503, not after a refused connection; the audit holds', async () => {
    const prefix = 'alrdup';
    await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024 });
    const t = topology(prefix);
    const kvm = new Kvm(nc);
    const alertsKv = await kvm.open(t.bucket('alerts'));
    const silencesKv = await kvm.open(t.bucket('silences'));

    // "stall" reads the request and answers 200 only after the alerter's 300 ms timeout; "flaky" answers one
    // 503; "late" is not listening yet (connection refused), then comes up.
    const stall = await startTestReceiver();
    stall.respond = (n) => (n === 0 ? { status: 200, delayMs: 1200 } : { status: 200 });
    const flaky = await startTestReceiver();
    flaky.respond = (n) => ({ status: n === 0 ? 503 : 200 });
    const down = await startTestReceiver();
    const latePort = Number(new URL(down.url).port);
    await down.close();
    cleanup.push(
      () => stall.close(),
      () => flaky.close(),
    );

    const bus = createJetStreamBus(nc, { topology: t });
    const rule = (name: string, kind: string) => ({
      name,
      kind: 'match',
      severity: 'critical',
      types: ['tool.call'],
      whereAny: [{ field: 'payload.command', danger: [kind] }],
      groupBy: ['host', 'sessionId'],
      groupWait: '0s',
      receivers: [name],
    });
    const rules = buildRuleSet(
      {
        rulePack: false,
        inhibitEqual: [],
        receivers: [
          { name: 'stall', type: 'webhook', url: stall.url, timeout: '400ms' },
          { name: 'flaky', type: 'webhook', url: flaky.url },
          { name: 'late', type: 'webhook', url: `http://127.0.0.1:${latePort}/hook` },
        ],
        rules: [rule('stall', 'rm-rf-broad'), rule('flaky', 'chmod-777-recursive'), rule('late', 'git-push-force')],
      },
      { env: {} },
    );
    const alerter = createAlerter({
      bus,
      topology: t,
      rules,
      state: new KvAlertStateStore(alertsKv),
      silences: new KvSilenceStore(silencesKv),
      tickMs: 100,
      retryBaseMs: 100,
      retryMaxMs: 400,
    });
    await alerter.start();
    cleanup.push(
      () => alerter.stop(),
      () => bus.close(),
    );
    const events: CctapEvent[] = [
      bashCall('rm -rf /', { sessionId: 's1' }),
      bashCall('chmod -R 777 /srv', { sessionId: 's2' }),
      bashCall('git push --force', { sessionId: 's3' }),
    ];
    const batch = {
      v: SCHEMA_VERSION,
      host: events[0]!.host,
      source: { path: '/x.jsonl', fileId: 'fdup', from: 0, to: 10 },
      events,
    };
    await bus.publish(t.subjects.events(events[0]!.host), new TextEncoder().encode(JSON.stringify(batch)), {
      msgId: batchMsgId(events[0]!.host, 'fdup', 0, 10),
    });

    await expect
      .poll(() => alerter.metrics.registry.getSingleMetricAsString('cctap_alerter_receiver_requests_total'), {
        timeout: 10_000,
      })
      .toMatch(/receiver="late",outcome="retry"/);
    const late = await startTestReceiver(latePort);
    cleanup.push(() => late.close());
    const states = async () =>
      (await new KvAlertStateStore(alertsKv).load())
        .flatMap((r) => Object.entries(r.deliveries).map(([name, d]) => `${name}:${d.state}`))
        .sort();
    await expect.poll(states, { timeout: 15_000 }).toEqual(['flaky:sent', 'late:sent', 'stall:sent']);

    const counter = await alerter.metrics.registry
      .getSingleMetric('cctap_alerter_possible_duplicate_notifications_total')!
      .get();
    const countedBy = Object.fromEntries(counter.values.map((v) => [String(v.labels.receiver), v.value]));
    // The stalled request was answered 200 after the timeout: a real duplicate receipt, and counted. (A loaded
    // machine may time out the retry as well: then that one is counted too.)
    expect(stall.requests.length).toBeGreaterThanOrEqual(2);
    expect(stall.requests.every((q) => q.status === 200)).toBe(true);
    expect(countedBy).toEqual({ stall: stall.requests.length - 1, flaky: 1 });
    expect(flaky.requests.map((q) => q.status)).toEqual([503, 200]);
    expect(late.requests).toHaveLength(1);

    const published = (await bus.read('alerts')).map((m) => JSON.parse(new TextDecoder().decode(m.data)) as Alert);
    const records = await new KvAlertStateStore(alertsKv).load();
    for (const [name, requests] of [
      ['stall', stall.requests],
      ['flaky', flaky.requests],
      ['late', late.requests],
    ] as const) {
      const audit = auditAlerts({
        published: published.filter((a) => a.rule === name),
        records: records.filter((r) => r.rule === name),
        receiverName: name,
        requests,
        possibleDuplicatesCounted: countedBy[name] ?? 0,
      });
      expect(audit.notificationsPublished).toBe(1);
      expect(audit.lost).toEqual([]);
      expect(audit.undelivered).toEqual([]);
      expect(audit.duplicates).toBeLessThanOrEqual(audit.possibleDuplicatesCounted);
      // Stricter than the audit: every receipt, whatever the answer, beyond the first.
      expect(requests.length - 1).toBeLessThanOrEqual(audit.possibleDuplicatesCounted);
    }
  });
});
