/**
 * `cctap alerter` processes (the built command) on a real nats-server and a real HTTP receiver: one holds
 * the alerter lease and delivers, the other stands by (ready, not consuming). The active one is SIGKILLed; the
 * standby takes over within the lease, restores the windows and firing alerts from KV, delivers the next alert
 * exactly once and does not send the already-firing one again; an active one paused past its lease (SIGSTOP)
 * loses it to the last standby and, resumed, stands by without writing or sending. A graceful stop (SIGTERM, a
 * rolling update) releases the lease, so a standby takes over at once instead of after its time to live.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch, SCHEMA_VERSION, topology, type Alert, type Batch, type CctapEvent } from '@cctap/events';
import { connectNats, createJetStreamBus, provision, type JetStreamBus } from '@cctap/kit';
import { Kvm } from '@nats-io/kv';
import { makeEvent, startTestReceiver, type TestReceiver } from '@cctap/alerter/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { metricValue } from '../e2e/support/cli-process.js';
import { exitWithin, startCctap, waitUntil, type Running } from '../e2e/support/run-cctap.js';
import { freePort } from '../support/free-port.js';
import { startNats, type TestNats } from '../support/nats.js';
import { msgIdOf } from '../support/events.js';

let nats: TestNats;
let nc: NatsConnection;
let hook: TestReceiver;
let dir: string;
const running: Running[] = [];
const dec = new TextDecoder();

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'alerter-ha-test' });
  hook = await startTestReceiver();
  dir = mkdtempSync(join(tmpdir(), 'alerter-ha-'));
}, 30_000);

afterAll(async () => {
  for (const r of running) r.child.kill('SIGKILL');
  await hook?.close();
  await nc?.close();
  await nats?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Three failed tool calls of one host within the hour fire once; an update (more occurrences) would go out at once. */
function rulesFile(url: string): string {
  const file = join(dir, 'rules.yaml');
  writeFileSync(
    file,
    [
      'receivers:',
      `  - { name: hook, type: webhook, url: "${url}" }`,
      'rules:',
      '  - name: tool-errors',
      '    kind: threshold',
      '    severity: warning',
      '    types: [tool.result]',
      '    where: [{ field: payload.isError, equals: true }]',
      '    aggregate: count',
      '    window: 1h',
      '    threshold: 3',
      '    groupBy: [host]',
      '    groupWait: 0s',
      '    groupInterval: 0s',
      '    repeatInterval: 24h',
      '    resolveAfter: 24h',
      '',
    ].join('\n'),
  );
  return file;
}

interface Replica {
  run: Running;
  metricsPort: number;
}

async function startReplica(prefix: string, rules: string, leaseMs: number): Promise<Replica> {
  const metricsPort = await freePort();
  const run = startCctap(
    ['alerter', '--rules', rules, '--lease-ms', String(leaseMs), '--metrics-port', String(metricsPort)],
    { NATS_URL: nats.url, CCTAP_PREFIX: prefix, CCTAP_LOG_FORMAT: 'json' },
  );
  running.push(run);
  return { run, metricsPort };
}

const scrape = async (r: Replica, path = '/metrics') => {
  const res = await fetch(`http://127.0.0.1:${r.metricsPort}${path}`);
  return { status: res.status, text: await res.text() };
};

/** Who holds the alerter lease now (read only: the replicas create the bucket, with their time to live). */
async function leaseHolder(prefix: string): Promise<string | null> {
  const kv = await new Kvm(nc).open(`${topology(prefix).bucket('alerts')}_lease`);
  const e = await kv.get('leader');
  return e?.operation === 'PUT' ? dec.decode(e.value) : null;
}

/** The replica holding the lease, once exactly one of `replicas` says it is active. */
async function activeOf(prefix: string, replicas: readonly Replica[]): Promise<Replica> {
  const logs = () =>
    [...replicas.map((r) => r.run.stderr() + r.run.stdout()), `nats-server (${nats.url}):\n${nats.log()}`].join('\n');
  return waitUntil(
    'one active alerter',
    async () => {
      const holder = await leaseHolder(prefix);
      const active = replicas.filter((r) => holder?.includes(`-${r.run.child.pid}-`));
      if (active.length !== 1) return undefined;
      const leader = metricValue((await scrape(active[0]!)).text, 'cctap_alerter_leader');
      return leader === 1 ? active[0] : undefined;
    },
    45_000,
    logs,
  );
}

let fileSeq = 0;
async function publish(bus: JetStreamBus, prefix: string, host: string, events: CctapEvent[]): Promise<void> {
  const from = ++fileSeq * 1000;
  const batch: Batch = {
    v: SCHEMA_VERSION,
    host,
    source: { path: '/home/alice/.claude/projects/p/s.jsonl', fileId: `f${fileSeq}`, from, to: from + 10 },
    events,
  };
  await bus.publish(topology(prefix).subjects.events(host), encodeBatch(batch), { msgId: msgIdOf(batch) });
}

const failed = (host: string, n: number) =>
  Array.from({ length: n }, () => makeEvent('tool.result', { isError: true, errorClass: 'tool_error' }, { host }));

/** Every alert the receiver got, in order (a request may carry several). */
const received = () => hook.requests.flatMap((q) => (q.json as { alerts: Alert[] }).alerts);
const hostsReceived = () => received().map((a) => `${a.host}:${a.status}`);

describe('alerter replicas: one active, hot standbys', () => {
  it('a standby takes over from a killed or paused active one with its state, and at once from a stopped one', async () => {
    const prefix = 'alha';
    await provision(nc, { prefix, maxBytes: 32 * 1024 * 1024, ackWaitMs: 5000 });
    const bus = createJetStreamBus(nc, { topology: topology(prefix) });
    const rules = rulesFile(hook.url);
    const replicas = await Promise.all([0, 1, 2].map(() => startReplica(prefix, rules, 3000)));
    const first = await activeOf(prefix, replicas);
    const standbys = replicas.filter((r) => r !== first);

    // The standbys are healthy (ready) but not the leader, and consume nothing.
    for (const r of standbys)
      await waitUntil(
        'a standby to be ready',
        async () => ((await scrape(r, '/readyz').catch(() => null))?.status === 200 ? true : undefined),
        15_000,
        () => r.run.stderr(),
      );
    for (const r of standbys) expect(metricValue((await scrape(r)).text, 'cctap_alerter_leader')).toBe(0);

    // box-a crosses the threshold: one delivery. box-b gets two of its three errors before the kill.
    await publish(bus, prefix, 'box-a', failed('box-a', 3));
    await waitUntil('the box-a alert', () => (received().length >= 1 ? true : undefined), 15_000);
    await publish(bus, prefix, 'box-b', failed('box-b', 2));
    await waitUntil(
      'the active alerter to evaluate box-b',
      async () => (metricValue((await scrape(first)).text, 'cctap_alerter_events_total') === 5 ? true : undefined),
      15_000,
    );
    for (const r of standbys) expect(metricValue((await scrape(r)).text, 'cctap_alerter_events_total') ?? 0).toBe(0);

    first.run.child.kill('SIGKILL');
    expect(await exitWithin(first.run, 5000, 'the killed alerter')).toBeNull();
    const killedAt = Date.now();
    const second = await activeOf(prefix, standbys);
    // Within the lease (3 s) and a renewal round; a generous bound.
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(metricValue((await scrape(second)).text, 'cctap_alerter_lease_takeovers_total')).toBe(1);

    // box-a fires again in the restored window (held, not a new occurrence: no update is sent); box-b's third
    // error crosses its restored window: exactly one delivery, after box-a's events were evaluated.
    await publish(bus, prefix, 'box-a', failed('box-a', 3));
    await publish(bus, prefix, 'box-b', failed('box-b', 1));
    await waitUntil('the box-b alert', () => (received().some((x) => x.host === 'box-b') ? true : undefined), 15_000);
    expect(hostsReceived()).toEqual(['box-a:firing', 'box-b:firing']);

    // The active one is paused past its lease: the last standby takes over and delivers box-c. Resumed, the
    // paused one finds its lease gone and stands by, writing and sending nothing.
    const third = standbys.find((r) => r !== second)!;
    second.run.child.kill('SIGSTOP');
    expect(await activeOf(prefix, [third])).toBe(third);
    await publish(bus, prefix, 'box-c', failed('box-c', 3));
    await waitUntil('the box-c alert', () => (received().some((x) => x.host === 'box-c') ? true : undefined), 15_000);
    second.run.child.kill('SIGCONT');
    await waitUntil(
      'the resumed alerter to stand by',
      async () => (metricValue((await scrape(second)).text, 'cctap_alerter_leader') === 0 ? true : undefined),
      15_000,
      () => second.run.stderr(),
    );
    await publish(bus, prefix, 'box-d', failed('box-d', 3));
    await waitUntil('the box-d alert', () => (received().some((x) => x.host === 'box-d') ? true : undefined), 15_000);
    expect(hostsReceived()).toEqual(['box-a:firing', 'box-b:firing', 'box-c:firing', 'box-d:firing']);

    // A graceful stop (a rolling update's SIGTERM) flushes and deletes the lease: once the process has exited the
    // lease no longer names it (without the release it would until its time to live ran out), and the resumed
    // replica takes over.
    const thirdOwner = `-${third.run.child.pid}-`;
    third.run.child.kill('SIGTERM');
    expect(await exitWithin(third.run, 20_000, 'the active alerter stopping')).toBe(0);
    expect((await leaseHolder(prefix))?.includes(thirdOwner) ?? false).toBe(false);
    expect(await activeOf(prefix, [second])).toBe(second);
    second.run.child.kill('SIGTERM');
    expect(await exitWithin(second.run, 20_000, 'the last alerter stopping')).toBe(0);
    expect(hostsReceived()).toEqual(['box-a:firing', 'box-b:firing', 'box-c:firing', 'box-d:firing']);
  }, 120_000);
});
