/**
 * CCTAP_RAW lets go of what the validator consumed (interest retention): with limits retention a stream of
 * `max_bytes` refused every batch once that much had passed through it, consumed or not, and every collector
 * stopped. Also: a raw stream made by older versions with limits retention is replaced only when nothing in
 * it is unconsumed, and otherwise provision says in one line what to do.
 *
 * Runs the built `cctap` (provision, validator) against a real nats-server; the test publishes as collectors do.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { topology, type Topology } from '@cctap/events';
import { connectNats, provision } from '@cctap/kit';
import { startNats, type TestNats } from '../support/nats.js';
import { batchOf, encodeBatch, msgIdOf } from '../support/events.js';
import { waitFor } from '../support/wait-for.js';
import { cli, exitWithin, startCctap } from '../e2e/support/run-cctap.js';

let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nats = await startNats({ requireControl: true });
  nc = await connectNats({ servers: nats.url, name: 'raw-retention-test', waitOnFirstConnect: false });
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

const fresh = (): { prefix: string; t: Topology } => {
  const prefix = `r${randomBytes(3).toString('hex')}`;
  return { prefix, t: topology(prefix) };
};

async function validatorIdle(t: Topology): Promise<boolean> {
  const c = await jsm.consumers.info(t.stream('raw'), t.consumer('validator'));
  return c.num_pending === 0 && c.num_ack_pending === 0;
}

describe('CCTAP_RAW retention', () => {
  it('three times max_bytes flows through a consuming validator: nothing refused, nothing lost, nothing kept', async () => {
    const { prefix, t } = fresh();
    const maxBytes = 1024 * 1024;
    const p = await cli(
      ['provision', '--nats', nats.url, '--prefix', prefix, '--max-bytes', String(maxBytes)],
      {},
      20_000,
    );
    expect(p.code, p.stderr).toBe(0);
    expect((await jsm.streams.info(t.stream('raw'))).config.retention).toBe(RetentionPolicy.Interest);

    const js = jetstream(nc);
    let batches = 0;
    let bytes = 0;
    // Rounds of half the stream, each consumed before the next: with limits retention the third round is refused.
    const round = async (): Promise<void> => {
      for (let sent = 0; sent < maxBytes / 2;) {
        const b = batchOf(100, { host: `host-${batches % 3}`, from: batches * 10_000 });
        const data = encodeBatch(b);
        await js.publish(t.subjects.raw(b.host), data, { msgID: msgIdOf(b) });
        batches += 1;
        sent += data.length;
        bytes += data.length;
      }
    };

    // Published before any validator runs: the validator's durable consumer exists from provisioning on, so
    // an interest stream keeps these (with no consumer it would drop them at once).
    await round();
    const before = await jsm.streams.info(t.stream('raw'));
    expect(before.state.messages).toBe(batches);

    const validator = startCctap([
      'validator',
      '--nats',
      nats.url,
      '--prefix',
      prefix,
      '--metrics-port',
      '0',
      '--log-level',
      'error',
    ]);
    try {
      await waitFor('the first round validated', () => validatorIdle(t), 30_000, 100, validator.stderr);
      for (let i = 0; i < 5; i++) {
        await round();
        await waitFor(`round ${i + 2} validated`, () => validatorIdle(t), 30_000, 100, validator.stderr);
      }
    } finally {
      validator.child.kill('SIGTERM');
      expect(await exitWithin(validator, 20_000, 'cctap validator')).toBe(0);
    }
    expect(bytes).toBeGreaterThan(3 * maxBytes);

    const raw = await jsm.streams.info(t.stream('raw'));
    expect(raw.state.last_seq).toBe(batches);
    expect(raw.state.messages).toBe(0);
    // The validator publishes one events batch per valid raw batch (message ids derived from the input's).
    const events = await jsm.streams.info(t.stream('events'));
    expect(events.state.last_seq).toBe(batches);
    expect((await jsm.streams.info(t.stream('invalid'))).state.last_seq).toBe(0);
  });

  it('a raw stream made with limits retention: refused in one line while unconsumed, replaced once drained', async () => {
    const { prefix, t } = fresh();
    await provision(nc, { prefix, maxBytes: 8 * 1024 * 1024 });
    // The stream as older versions provisioned it.
    const current = (await jsm.streams.info(t.stream('raw'))).config;
    await jsm.streams.delete(t.stream('raw'));
    await jsm.streams.add({ ...current, retention: RetentionPolicy.Limits });
    await jsm.consumers.add(t.stream('raw'), { durable_name: t.consumer('validator'), ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    for (let i = 0; i < 5; i++)
      await js.publish(t.subjects.raw('h'), new TextEncoder().encode(`batch-${i}`), { msgID: `old-${i}` });

    const args = ['provision', '--nats', nats.url, '--prefix', prefix, '--max-bytes', String(8 * 1024 * 1024)];
    const refused = await cli(args, {}, 20_000);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `${t.stream('raw')} has limits retention .* ${t.consumer('validator')} has 5 messages left to process; let it catch up`,
      ),
    );
    // Untouched: still on its subjects, still holding the five.
    const kept = await jsm.streams.info(t.stream('raw'));
    expect(kept.config.retention).toBe(RetentionPolicy.Limits);
    expect(kept.config.subjects).toEqual(current.subjects);
    expect(kept.state.messages).toBe(5);

    const consumer = await js.consumers.get(t.stream('raw'), t.consumer('validator'));
    let acked = 0;
    for await (const m of await consumer.fetch({ max_messages: 5, expires: 2000 })) {
      await m.ackAck();
      if (++acked === 5) break;
    }
    const replaced = await cli(args, {}, 20_000);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toMatch(new RegExp(`stream +${t.stream('raw')} +replaced \\(retention`));
    const now = await jsm.streams.info(t.stream('raw'));
    expect(now.config.retention).toBe(RetentionPolicy.Interest);
    expect(now.config.subjects).toEqual(current.subjects);
    expect((await jsm.consumers.info(t.stream('raw'), t.consumer('validator'))).config.max_deliver).toBe(10);

    const again = await provision(nc, { prefix, maxBytes: 8 * 1024 * 1024 });
    expect(again.entries.filter((e) => e.action !== 'unchanged')).toEqual([]);
  });
});
