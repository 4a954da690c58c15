/**
 * A `cctap analyzer --partitioned` replica SIGKILLed while the input flows: its leases run out, the other
 * replicas take its partitions over from the saved state and the unacknowledged messages, and every session
 * still ends with the summary one analyzer gives. The same for a replica paused (SIGSTOP) past its leases
 * while input flows and then resumed: it gives its partitions up instead of writing for them, and rejoins.
 */
import { connectNats, createJetStreamBus, provision } from '@cctap/kit';
import { topology } from '@cctap/events';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitWithin, type Running } from '../e2e/support/run-cctap.js';
import { startNats, type TestNats } from '../support/nats.js';
import { balanced, corpus, oneAnalyzer, publish, startReplica, storedSummaries } from './support/partitioned-run.js';

const LEASE_MS = 3000;
let nats: TestNats;
let nc: NatsConnection;
const running: Running[] = [];

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'partitions-kill-test' });
}, 30_000);

afterAll(async () => {
  for (const r of running) r.child.kill('SIGKILL');
  await nc?.close();
  await nats?.dispose();
});

describe('analyzer replicas on partitions', () => {
  it('a replica killed mid-run: its partitions move to the others and every summary still matches', async () => {
    const prefix = 'partk';
    await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024, ackWaitMs: 5000 });
    const t = topology(prefix);
    const bus = createJetStreamBus(nc, { topology: t });
    const batches = corpus(23, 16, 2);
    const half = Math.floor(batches.length / 2);
    await publish(bus, t, batches.slice(0, half));
    const reps = [0, 1, 2].map(() => startReplica(nats.url, prefix, LEASE_MS));
    running.push(...reps);
    const logs = () => reps.map((r) => r.stderr() + r.stdout()).join('\n');
    await balanced(nc, prefix, 3, logs);

    const victim = reps[0]!;
    const rest = publish(bus, t, batches.slice(half));
    victim.child.kill('SIGKILL');
    await rest;
    expect(await exitWithin(victim, 5000, 'the killed replica')).toBeNull();
    expect(victim.signal()).toBe('SIGKILL');
    const holders = await balanced(nc, prefix, 2, logs);
    expect(holders.some((h) => victim.stderr().includes(h) || victim.stdout().includes(h))).toBe(false);

    for (const r of reps.slice(1)) r.child.kill('SIGTERM');
    for (const r of reps.slice(1)) expect(await exitWithin(r, 20_000, 'a replica stopping')).toBe(0);
    const stored = await storedSummaries(bus);
    const expected = oneAnalyzer(batches);
    expect(expected.size).toBe(32);
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
  }, 60_000);

  it('a replica paused past its leases and resumed writes nothing for the partitions it lost, and rejoins', async () => {
    const prefix = 'partp';
    await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024, ackWaitMs: 5000 });
    const t = topology(prefix);
    const bus = createJetStreamBus(nc, { topology: t });
    const batches = corpus(29, 16, 2);
    const half = Math.floor(batches.length / 2);
    await publish(bus, t, batches.slice(0, half));
    const reps = [0, 1, 2].map(() => startReplica(nats.url, prefix, LEASE_MS));
    running.push(...reps);
    const logs = () => reps.map((r) => r.stderr() + r.stdout()).join('\n');
    await balanced(nc, prefix, 3, logs);

    const paused = reps[0]!;
    const rest = publish(bus, t, batches.slice(half));
    paused.child.kill('SIGSTOP');
    await rest;
    await balanced(nc, prefix, 2, logs);
    paused.child.kill('SIGCONT');
    await balanced(nc, prefix, 3, logs);
    // It woke up to leases it could no longer trust or that others held, and stopped those partitions.
    expect(paused.stdout() + paused.stderr()).toMatch(/lease not renewed in time|lease taken by another replica/);

    for (const r of reps) r.child.kill('SIGTERM');
    for (const r of reps) expect(await exitWithin(r, 20_000, 'a replica stopping')).toBe(0);
    const stored = await storedSummaries(bus);
    const expected = oneAnalyzer(batches);
    expect(expected.size).toBe(32);
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
  }, 60_000);
});
