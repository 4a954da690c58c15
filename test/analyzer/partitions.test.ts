/**
 * Two and three `cctap analyzer --partitioned` replicas on one events stream conclude, per session, exactly
 * what one analyzer concludes from the same input (token totals, tool calls and errors, calls per tool).
 * One replica starts alone and the others join half-way, so partitions move to them with the state of what
 * was analyzed so far: the rebalance of a rolling update. Each ends up with its share of the partitions.
 */
import { connectNats, createJetStreamBus, provision, type JetStreamBus } from '@cctap/kit';
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
  nc = await connectNats({ servers: nats.url, name: 'partitions-test' });
}, 30_000);

afterAll(async () => {
  for (const r of running) r.child.kill('SIGKILL');
  await nc?.close();
  await nats?.dispose();
});

/**
 * One replica analyzes the first half of the input alone; the others join (partitions move, with the state
 * of what was analyzed so far); the second half is published; all stop.
 */
async function run(prefix: string, replicas: number, seed: number) {
  await provision(nc, { prefix, maxBytes: 64 * 1024 * 1024, ackWaitMs: 5000 });
  const t = topology(prefix);
  const bus: JetStreamBus = createJetStreamBus(nc, { topology: t });
  const batches = corpus(seed, 16, 2);
  const half = Math.floor(batches.length / 2);
  await publish(bus, t, batches.slice(0, half));
  const reps = [startReplica(nats.url, prefix, LEASE_MS)];
  running.push(...reps);
  const logs = () => reps.map((r) => r.stderr() + r.stdout()).join('\n');
  expect(new Set(await balanced(nc, prefix, 1, logs)).size).toBe(1);
  for (let i = 1; i < replicas; i++) reps.push(startReplica(nats.url, prefix, LEASE_MS));
  running.push(...reps.slice(1));
  await balanced(nc, prefix, replicas, logs);
  await publish(bus, t, batches.slice(half));
  expect(new Set(await balanced(nc, prefix, replicas, logs)).size).toBe(replicas);
  for (const r of reps) r.child.kill('SIGTERM');
  for (const r of reps) expect(await exitWithin(r, 20_000, 'a replica stopping')).toBe(0);
  const stored = await storedSummaries(bus);
  const expected = oneAnalyzer(batches);
  expect(expected.size).toBe(32);
  expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
}

describe('analyzer replicas on partitions', () => {
  it('two replicas give every session the summary one analyzer gives', async () => {
    await run('part2', 2, 7);
  }, 60_000);

  it('three replicas give every session the summary one analyzer gives', async () => {
    await run('part3', 3, 11);
  }, 60_000);
});
