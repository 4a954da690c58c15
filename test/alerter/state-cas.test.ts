/**
 * The alerter's KV state on a real nats-server, written by two writers at once: every write is a
 * compare-and-swap; a writer that meets a newer lease term stops writing (fenced), one that meets an older or
 * its own term re-reads and applies its value again, never overwriting blindly. And the rule engine's windows
 * and absence timers survive a hand-over through the same bucket (segmented windows, expired segments deleted).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '@cctap/kit';
import { ManualClock } from '@cctap/kit/internal';
import type { AlertRecord } from '@cctap/alerter';
import {
  emptyEvidence,
  FencedError,
  fromEvent,
  KvAlertStateStore,
  KvEngineStateStore,
  RuleEngine,
  SEGMENT_ENTRIES,
  validateRules,
  type WriteFence,
} from '@cctap/alerter/internal';
import { makeEvent } from '@cctap/alerter/testing';
import { startNats, type TestNats } from '../support/nats.js';

let nats: TestNats;
let nc: NatsConnection;
const dec = new TextDecoder();

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'alerter-state-cas-test', waitOnFirstConnect: false });
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

const bucket = () => new Kvm(nc).create(`cas${randomBytes(3).toString('hex')}`, { history: 1 });

function fenceOf(term: number): WriteFence & { fencedCalls: number; allowed: boolean } {
  const f = {
    term,
    fencedCalls: 0,
    allowed: true,
    mayWrite: () => f.allowed,
    fenced: () => {
      f.fencedCalls++;
      f.allowed = false;
    },
  };
  return f;
}

function record(key: string, occurrences: number): AlertRecord {
  return {
    key,
    rule: 'r',
    severity: 'warning',
    summary: 's',
    description: '',
    labels: { rule: 'r' },
    receivers: ['hook'],
    status: 'firing',
    startsAt: 1,
    endsAt: null,
    lastSeenAt: 1,
    occurrences,
    evidence: emptyEvidence(),
    seq: 1,
    notifyAt: null,
    lastNotifiedAt: 1,
    notifiedOccurrences: occurrences,
    notifiedStatus: 'firing',
    deliveries: {},
    timing: { groupWait: 0, groupInterval: 1, repeatInterval: 1, resolveAfter: 1 },
  };
}

async function stored(kv: KV): Promise<{ occurrences: number; _term?: number }[]> {
  const out: { occurrences: number; _term?: number }[] = [];
  for await (const k of await kv.keys()) {
    const e = await kv.get(k);
    if (e?.operation === 'PUT') out.push(JSON.parse(dec.decode(e.value)) as { occurrences: number; _term?: number });
  }
  return out;
}

describe('alert records: compare-and-swap between two writers', () => {
  it('the writer of the older term is fenced by the newer one and writes nothing more', async () => {
    const kv = await bucket();
    let conflicts = 0;
    const oldFence = fenceOf(5);
    const old = new KvAlertStateStore(kv, oldFence, () => conflicts++);
    const next = new KvAlertStateStore(kv, fenceOf(9));
    await old.put(record('k', 1));
    // The next lease holder takes over: it reads what the old one left and writes on top of it.
    expect((await next.load()).map((r) => r.occurrences)).toEqual([1]);
    await next.put(record('k', 2));
    // The old holder, unaware, writes at the revision it knew: refused, re-read, newer term found.
    await expect(old.put(record('k', 99))).rejects.toBeInstanceOf(FencedError);
    expect(oldFence.fencedCalls).toBe(1);
    expect(conflicts).toBe(1);
    await expect(old.delete('k')).rejects.toBeInstanceOf(FencedError);
    expect(await stored(kv)).toEqual([expect.objectContaining({ occurrences: 2, _term: 9 })]);
  });

  it('a write of an older term landing late is re-read and the holder applies its value again by CAS', async () => {
    const kv = await bucket();
    let conflicts = 0;
    const holder = new KvAlertStateStore(kv, fenceOf(9), () => conflicts++);
    const late = new KvAlertStateStore(kv, fenceOf(5));
    await holder.put(record('k', 1));
    await late.load();
    await late.put(record('k', 50));
    await holder.put(record('k', 2));
    expect(conflicts).toBe(1);
    expect(await stored(kv)).toEqual([expect.objectContaining({ occurrences: 2, _term: 9 })]);
    // The reader sees the record without the writer's term.
    expect(await holder.load()).toEqual([record('k', 2)]);
    // A delete is by CAS too: after another late write it re-reads, and deletes.
    await late.load();
    await late.put(record('k', 60));
    await holder.delete('k');
    expect(await stored(kv)).toEqual([]);
  });

  it('a writer whose lease is no longer trusted writes nothing', async () => {
    const kv = await bucket();
    const f = fenceOf(3);
    const s = new KvAlertStateStore(kv, f);
    f.allowed = false;
    await expect(s.put(record('k', 1))).rejects.toBeInstanceOf(FencedError);
    expect(await stored(kv)).toEqual([]);
  });
});

describe('rule engine state across a hand-over', () => {
  const T0 = Date.parse('2026-03-02T10:00:00.000Z');
  const rules = validateRules([
    {
      name: 'many-prompts',
      kind: 'threshold',
      severity: 'warning',
      types: ['prompt'],
      aggregate: 'count',
      window: '1h',
      threshold: SEGMENT_ENTRIES + 100,
      groupBy: ['host'],
    },
    { name: 'host-silent', kind: 'absence', severity: 'warning', types: ['heartbeat'], for: '15m', groupBy: ['host'] },
  ]);
  const prompt = (ts: number) => fromEvent(makeEvent('prompt', { text: 'hi' }, { ts }));

  it('the next holder continues the window (over several segments) and the absence timer, and knows what fired', async () => {
    const kv = await bucket();
    const clock = new ManualClock(T0);
    const first = new RuleEngine({ rules, clock, maxEventAgeMs: 3_600_000, trackChanges: true });
    const firstStore = new KvEngineStateStore(kv, fenceOf(1));
    await firstStore.load();
    first.ingest(fromEvent(makeEvent('heartbeat', {}, { ts: T0, host: 'box' })));
    // An old part of the window, then enough to cross the threshold: about three segments in all.
    for (let i = 0; i < SEGMENT_ENTRIES; i++) first.ingest(prompt(T0 - 30 * 60_000));
    await firstStore.save(first.takeChanges());
    let fired = 0;
    for (let i = 0; i < 100 + SEGMENT_ENTRIES; i++) {
      fired += first.ingest(prompt(T0)).filter((s) => s.status === 'firing' && s.occurrence).length;
      if (i % 50 === 0) await firstStore.save(first.takeChanges());
    }
    await firstStore.save(first.takeChanges());
    expect(fired).toBe(1);
    const segments = async () => {
      let n = 0;
      for await (const k of await kv.keys()) if (k.includes('.')) n++;
      return n;
    };
    expect(await segments()).toBe(3);

    // The next holder restores, 20 minutes later: the condition still holds (not a new occurrence), and the
    // host's heartbeat has been missing for 20 minutes: the absence fires from the restored timer.
    clock.set(T0 + 20 * 60_000);
    const next = new RuleEngine({ rules, clock, maxEventAgeMs: 3_600_000, trackChanges: true });
    const nextStore = new KvEngineStateStore(kv, fenceOf(2));
    next.restore(await nextStore.load());
    const tick = next.tick().map((s) => [s.rule.name, s.status, s.occurrence, s.evidence?.value]);
    expect(tick).toEqual([
      ['many-prompts', 'firing', false, 2 * SEGMENT_ENTRIES + 100],
      ['host-silent', 'firing', true, 20 * 60],
    ]);
    expect(next.ingest(prompt(clock.now())).map((s) => [s.status, s.occurrence])).toEqual([['firing', false]]);

    // Once the old part has left the window, its sealed segment is deleted from the bucket.
    clock.set(T0 + 31 * 60_000);
    next.ingest(prompt(clock.now()));
    await nextStore.save(next.takeChanges());
    expect(await segments()).toBe(2);
  });
});
