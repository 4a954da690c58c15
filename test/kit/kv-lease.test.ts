/**
 * KvLeases against a real nats-server: one holder at a time, compare-and-swap renewal, release handing the
 * lease over at once, expiry handing it over after the TTL, and revisions that grow from holder to holder
 * (the fencing token).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, KvLeases } from '@cctap/kit';
import { startNats, type TestNats } from '../support/nats.js';
import { waitFor } from '../support/wait-for.js';

let nats: TestNats;
let nc: NatsConnection;
const bucket = (p: string) => `${p}${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'kv-lease-test', waitOnFirstConnect: false });
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

describe('KvLeases', () => {
  it('one holder at a time; renewal is compare-and-swap; release hands over at once with a larger revision', async () => {
    const b = bucket('lease');
    const a = await KvLeases.open(nc, b, 'replica-a', 60_000);
    const c = await KvLeases.open(nc, b, 'replica-c', 1_000);
    // The bucket's TTL wins over what a later opener asks for: every replica uses the same lease.
    expect(c.leaseMs).toBe(60_000);

    const revA = await a.tryTake('leader');
    expect(revA).not.toBeNull();
    expect(await c.tryTake('leader')).toBeNull();
    expect(await c.holder('leader')).toBe('replica-a');

    const renewed = await a.renew('leader', revA!);
    expect(renewed).toBeGreaterThan(revA!);
    // The revision a holder no longer has is refused: someone (here the holder itself) wrote since.
    expect(await a.renew('leader', revA!)).toBeNull();

    // A release at a stale revision leaves the lease alone; at the current one it frees it.
    await a.release('leader', revA!);
    expect(await c.holder('leader')).toBe('replica-a');
    await a.release('leader', renewed!);
    expect(await c.holder('leader')).toBeNull();
    const revC = await c.tryTake('leader');
    expect(revC).toBeGreaterThan(renewed!);
    expect(await a.renew('leader', renewed!)).toBeNull();
  });

  it('a holder that stops renewing loses the lease when the TTL runs out', async () => {
    const b = bucket('expiry');
    const a = await KvLeases.open(nc, b, 'replica-a', 1_000);
    const c = await KvLeases.open(nc, b, 'replica-c', 1_000);
    const revA = await a.tryTake('leader');
    expect(revA).not.toBeNull();
    const started = Date.now();
    const revC = await waitFor('the lease to expire', async () => (await c.tryTake('leader')) ?? undefined);
    // Generous bounds: not before the TTL, and well within a few of them.
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(revC).toBeGreaterThan(revA!);
    expect(await a.renew('leader', revA!)).toBeNull();
  });

  it('counts live members and forgets one that leaves', async () => {
    const b = bucket('members');
    const a = await KvLeases.open(nc, b, 'host-1/a', 60_000);
    const c = await KvLeases.open(nc, b, 'host-2.c', 60_000);
    expect(await a.heartbeat()).toBe(1);
    expect(await c.heartbeat()).toBe(2);
    await c.leave();
    expect(await a.heartbeat()).toBe(1);
  });
});
