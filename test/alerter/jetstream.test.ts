/**
 * The alerter on a real nats-server: JetStream consumers in, KV state, alerts stream out, real HTTP receivers.
 * The crash tests run the alerter in a child process and SIGKILL it at chosen points of a delivery.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchMsgId, SCHEMA_VERSION, topology, type Alert, type CctapEvent } from '@cctap/events';
import { alertSchema } from '@cctap/events/internal';
import { connectNats, createJetStreamBus, provision, type JetStreamBus } from '@cctap/kit';
import { buildRuleSet, createAlerter, type AlertRecord } from '@cctap/alerter';
import { KvAlertStateStore, KvSilenceStore } from '@cctap/alerter/internal';
import { bashCall, startTestReceiver, type TestReceiver } from '@cctap/alerter/testing';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { auditAlerts } from '../chaos/alert-audit.js';
import { consumerState, isIdle, manager } from '../e2e/support/pipeline-state.js';
import { startNats, type TestNats } from '../support/nats.js';
import { REPO_ROOT } from '../support/paths.js';

const CHILD = join(REPO_ROOT, 'test/alerter/support/alerter-child.mjs');
const SECRET = 'integration-secret-0123';
let nats: TestNats;
let nc: NatsConnection;
let dir: string;

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-b', 'services/alerter'], { cwd: REPO_ROOT, stdio: 'inherit' });
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'alerter-test' });
  dir = mkdtempSync(join(tmpdir(), 'alerter-it-'));
});
afterAll(async () => {
  await nc?.drain();
  await nats?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let fileSeq = 0;
async function publishEvents(bus: JetStreamBus, prefix: string, events: CctapEvent[]): Promise<void> {
  const host = events[0]!.host;
  const from = ++fileSeq * 1000;
  const batch = {
    v: SCHEMA_VERSION,
    host,
    source: { path: '/x.jsonl', fileId: `f${fileSeq}`, from, to: from + 10 },
    events,
  };
  await bus.publish(topology(prefix).subjects.events(host), new TextEncoder().encode(JSON.stringify(batch)), {
    msgId: batchMsgId(host, `f${fileSeq}`, from, from + 10),
  });
}

async function setupTopology(prefix: string) {
  await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024 });
  const t = topology(prefix);
  const kvm = new Kvm(nc);
  return { t, alertsKv: await kvm.open(t.bucket('alerts')), silencesKv: await kvm.open(t.bucket('silences')) };
}

const records = (kv: KV): Promise<AlertRecord[]> => new KvAlertStateStore(kv).load();

describe('alerter on JetStream', () => {
  it('turns a dangerous command into a webhook call, a KV record and a message on the alerts stream', async () => {
    const prefix = 'alr1';
    const { alertsKv, silencesKv } = await setupTopology(prefix);
    const hook = await startTestReceiver();
    const bus = createJetStreamBus(nc, { topology: topology(prefix) });
    const rules = buildRuleSet(
      { receivers: [{ name: 'hook', type: 'webhook', url: hook.url, secret: SECRET }] },
      { env: {} },
    );
    const alerter = createAlerter({
      bus,
      topology: topology(prefix),
      rules,
      state: new KvAlertStateStore(alertsKv),
      silences: new KvSilenceStore(silencesKv),
      tickMs: 100,
    });
    await alerter.start();
    try {
      // Bad input is skipped and counted; the alerter keeps going.
      await bus.publish(topology(prefix).subjects.events('dev-laptop'), new TextEncoder().encode('not json {'), {
        msgId: 'garbage-1',
      });
      await publishEvents(bus, prefix, [bashCall('ls -la'), bashCall("bash -c 'rm -rf $HOME'", { sessionId: 'js-1' })]);
      await expect.poll(() => hook.requests.length, { timeout: 10_000 }).toBe(1);
      const alert = (hook.requests[0]!.json as { alerts: Alert[] }).alerts[0]!;
      expect(alert).toMatchObject({
        rule: 'dangerous-command',
        severity: 'critical',
        sessionId: 'js-1',
        evidence: { findings: ['rm-rf-broad'] },
      });
      await expect.poll(async () => (await records(alertsKv)).map((r) => r.deliveries.hook?.state)).toEqual(['sent']);
      const stored = await bus.read('alerts');
      expect(stored.length).toBeGreaterThanOrEqual(1);
      expect(stored[0]!.subject).toBe(`${prefix}.cctap.alerts.critical.dangerous-command`);
      expect(alertSchema.parse(JSON.parse(new TextDecoder().decode(stored[0]!.data)))).toMatchObject({
        id: alert.id,
        status: 'firing',
      });
      expect(await alerter.metrics.registry.getSingleMetricAsString('cctap_alerter_messages_skipped_total')).toMatch(
        /reason="not_json"[^\n]* 1/,
      );
    } finally {
      await alerter.stop();
      await bus.close();
      await hook.close();
    }
  });
});

interface Child {
  proc: ChildProcess;
  out: string[];
  exited: Promise<number | null>;
}

function runChild(prefix: string, rulesFile: string): Promise<Child> {
  const proc = spawn(process.execPath, [CHILD, nats.url, prefix, rulesFile], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out: string[] = [];
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      out.push(...lines);
      if (lines.includes('ready')) resolve({ proc, out, exited });
    });
    void exited.then((code) => reject(new Error(`alerter child exited with ${code} before ready`)));
  });
}

async function kill(c: Child): Promise<void> {
  c.proc.kill('SIGKILL');
  await c.exited;
}

/**
 * What the child reports on SIGUSR2: its possible-duplicate counter (what the chaos suite scrapes before each
 * kill) and the deliveries it still owes (to send, or to count in a summary).
 */
async function report(
  c: Child,
): Promise<{ possibleDuplicates: number; owed: { toSend: number; toSummarize: number } }> {
  const from = c.out.length;
  c.proc.kill('SIGUSR2');
  // Both lines come from one handler, `owed` last.
  let owed: string | undefined;
  await expect
    .poll(() => (owed = c.out.slice(from).find((l) => l.startsWith('owed '))), { timeout: 5000 })
    .toBeDefined();
  const dup = c.out.slice(from).find((l) => l.startsWith('possible-duplicates '))!;
  return { possibleDuplicates: Number(dup.split(' ')[1]), owed: JSON.parse(owed!.slice('owed '.length)) as never };
}

const possibleDuplicates = async (c: Child): Promise<number> => (await report(c)).possibleDuplicates;

/** True when the alerter's consumers have every message delivered and acknowledged (none can come back). */
async function inputsAcked(prefix: string): Promise<boolean> {
  const jsm = await manager(nc);
  const t = topology(prefix);
  return (
    isIdle(await consumerState(jsm, t, 'alerter-events')) && isIdle(await consumerState(jsm, t, 'alerter-derived'))
  );
}

/**
 * Waits until every input is acknowledged and the child has no delivery left to make, so no further request
 * can come from it: what a test asserts "nothing more was sent" after.
 */
async function settled(c: Child, prefix: string): Promise<void> {
  await expect
    .poll(async () => (await inputsAcked(prefix)) && (await report(c)).owed, { timeout: 10_000, interval: 100 })
    .toEqual({ toSend: 0, toSummarize: 0 });
}

describe('alerter killed with SIGKILL', () => {
  let hook: TestReceiver;
  let bus: JetStreamBus;
  let kv: KV;
  let rulesFile: string;
  const prefix = 'alrk';

  beforeAll(async () => {
    ({ alertsKv: kv } = await setupTopology(prefix));
    hook = await startTestReceiver();
    bus = createJetStreamBus(nc, { topology: topology(prefix) });
    rulesFile = join(dir, 'rules.yaml');
    writeFileSync(
      rulesFile,
      `
rulePack: false
receivers:
  - { name: hook, type: webhook, url: "${hook.url}", secret: "${SECRET}" }
rules:
  - { name: now, kind: match, severity: critical, types: [tool.call], whereAny: [{ field: payload.command, danger: [rm-rf-broad] }], groupWait: 0s }
  - { name: later, kind: match, severity: critical, types: [tool.call], whereAny: [{ field: payload.command, danger: [git-push-force] }], groupWait: 2s }
`,
    );
  });
  afterAll(async () => {
    await bus?.close();
    await hook?.close();
  });

  it('between "sending" and "sent": re-sends once after restart, counted as a possible duplicate; never after "sent"', async () => {
    const child = await runChild(prefix, rulesFile);
    // The receiver holds its answer; the alerter dies while the request is in flight.
    hook.respond = () => ({ status: 200, delayMs: 10_000 });
    const arrived = new Promise<void>((r) => {
      hook.onRequest = () => r();
    });
    await publishEvents(bus, prefix, [bashCall('rm -rf /', { sessionId: 'k1' })]);
    await arrived;
    await kill(child);
    const [rec] = await records(kv);
    expect(rec!.deliveries.hook!.state).toBe('sending');

    hook.respond = () => ({ status: 200 });
    hook.onRequest = undefined;
    const again = await runChild(prefix, rulesFile);
    await expect.poll(() => hook.requests.length, { timeout: 10_000 }).toBe(2);
    expect(hook.requests[1]!.headers['idempotency-key']).toBe(hook.requests[0]!.headers['idempotency-key']);
    expect(again.out.some((l) => l.includes('possible duplicates') && l.includes('"inFlight":1'))).toBe(true);
    await expect.poll(async () => (await records(kv))[0]?.deliveries.hook?.state, { timeout: 5000 }).toBe('sent');
    expect(await possibleDuplicates(again)).toBe(1);

    // Killed after "sent": a restart sends nothing.
    await kill(again);
    const third = await runChild(prefix, rulesFile);
    expect(third.out.some((l) => l.includes('alerter started') && l.includes('"recovered":1'))).toBe(true);
    await settled(third, prefix);
    expect(hook.requests).toHaveLength(2);
    await kill(third);
  });

  it('a 200 whose "sent" write NATS could not take, then a kill: the restart re-sends it and counts it', async () => {
    hook.requests.length = 0;
    const child = await runChild(prefix, rulesFile);
    // The receiver has the request; NATS goes away before its 200 comes back, so "sent" cannot be stored.
    hook.respond = () => ({ status: 200, delayMs: 1000 });
    const arrived = new Promise<void>((r) => {
      hook.onRequest = () => r();
    });
    await publishEvents(bus, prefix, [bashCall('rm -rf ~', { sessionId: 'k3' })]);
    await arrived;
    hook.onRequest = undefined;
    await nats.stop({ hard: true });
    await expect
      .poll(() => child.out.some((l) => l.includes('could not write an alert record')), {
        timeout: 20_000,
        interval: 200,
      })
      .toBe(true);
    // Alive, it re-sends nothing (it knows the 200); the store still says "sending".
    expect(hook.requests).toHaveLength(1);
    const counted = [await possibleDuplicates(child)];
    await kill(child);
    await nats.start();
    const k3 = async () => (await records(kv)).find((r) => r.evidence.sessionId === 'k3')?.deliveries.hook;
    await expect.poll(k3, { timeout: 10_000 }).toMatchObject({ state: 'sending' });

    hook.respond = () => ({ status: 200 });
    const again = await runChild(prefix, rulesFile);
    await expect.poll(async () => (await k3())?.state, { timeout: 10_000 }).toBe('sent');
    counted.push(await possibleDuplicates(again));
    expect(counted).toEqual([0, 1]);
    expect(hook.requests).toHaveLength(2);
    expect(hook.requests[1]!.headers['idempotency-key']).toBe(hook.requests[0]!.headers['idempotency-key']);
    const stored = (await bus.read('alerts', { max: 1000 }))
      .map((m) => JSON.parse(new TextDecoder().decode(m.data)) as Alert)
      .filter((a) => a.sessionId === 'k3');
    const audit = auditAlerts({
      published: stored,
      records: (await records(kv)).filter((r) => r.evidence.sessionId === 'k3'),
      receiverName: 'hook',
      requests: hook.requests,
      possibleDuplicatesCounted: counted[0]! + counted[1]!,
    });
    expect(audit).toMatchObject({ notificationsPublished: 1, duplicates: 1, lost: [], undelivered: [] });
    expect(audit.duplicates).toBeLessThanOrEqual(audit.possibleDuplicatesCounted);
    await kill(again);
  });

  it('during group wait (before any request): the restarted alerter sends it exactly once', async () => {
    hook.requests.length = 0;
    // Streams of its own: the earlier kills leave messages unacknowledged until ack_wait on the shared ones.
    const own = 'alrg';
    const { alertsKv } = await setupTopology(own);
    const ownBus = createJetStreamBus(nc, { topology: topology(own) });
    const child = await runChild(own, rulesFile);
    await publishEvents(ownBus, own, [bashCall('git push --force', { sessionId: 'k2' })]);
    await expect
      .poll(async () => (await records(alertsKv)).filter((r) => r.rule === 'later').length, { timeout: 5000 })
      .toBe(1);
    // The event is acknowledged too: the restarted alerter has only the stored record to go on.
    await expect.poll(() => inputsAcked(own), { timeout: 5000, interval: 50 }).toBe(true);
    await kill(child);
    expect(hook.requests).toHaveLength(0);
    const again = await runChild(own, rulesFile);
    await expect.poll(() => hook.requests.length, { timeout: 10_000 }).toBe(1);
    await settled(again, own);
    expect(hook.requests).toHaveLength(1);
    expect((hook.requests[0]!.json as { alerts: Alert[] }).alerts[0]).toMatchObject({
      rule: 'later',
      sessionId: 'k2',
      seq: 1,
    });
    await ownBus.close();
    await kill(again);
  });
});
