/**
 * NATS failures told apart by class and code against a real nats-server, so the classifiers follow what the
 * client and the server really throw (their words are never read).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, isDeniedOrUnanswered, isJetStreamNotFound, isMessageRefused } from '@cctap/kit';
import { jetStreamCode, JS_ERR } from '@cctap/kit/internal';
import { startNats, type TestNats } from '../support/nats.js';

let nats: TestNats;
let nc: NatsConnection;
const name = `E${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  nats = await startNats();
  nc = await connectNats({ servers: nats.url, name: 'nats-errors-test', waitOnFirstConnect: false });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [`${name}.>`], max_msg_size: 100 });
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

const caught = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );

describe('NATS error classifiers', () => {
  it('a message larger than the stream allows or than the server takes is refused for good', async () => {
    const js = jetstream(nc);
    const tooBigForStream = await caught(js.publish(`${name}.a`, new Uint8Array(200)));
    expect(jetStreamCode(tooBigForStream)).toBe(JS_ERR.messageExceedsMaximum);
    expect(isMessageRefused(tooBigForStream)).toBe(true);
    const tooBigForServer = await caught(js.publish(`${name}.a`, new Uint8Array(2 * 1024 * 1024)));
    expect(isMessageRefused(tooBigForServer)).toBe(true);
    // A stream that is not there is another failure.
    const noStream = await caught(js.publish(`nostream${name}.a`, new Uint8Array(10), { timeout: 500 }));
    expect(isMessageRefused(noStream)).toBe(false);
  });

  it('a stream that is not there, and one that exists with another configuration, by their codes', async () => {
    const jsm = await jetstreamManager(nc);
    const missing = await caught(jsm.streams.info(`missing${name}`));
    expect(isJetStreamNotFound(missing)).toBe(true);
    const clash = await caught(jsm.streams.add({ name, subjects: [`${name}.other.>`] }));
    expect(jetStreamCode(clash)).toBe(JS_ERR.streamNameExists);
    expect(isJetStreamNotFound(clash)).toBe(false);
  });

  it('a request nobody answers in time, not one nobody listens to', async () => {
    const sub = nc.subscribe(`q${name}.silent`);
    const timeout = await caught(nc.request(`q${name}.silent`, '', { timeout: 200 }));
    expect(isDeniedOrUnanswered(timeout)).toBe(true);
    sub.unsubscribe();
    const noResponders = await caught(nc.request(`q${name}.nobody`, '', { timeout: 200 }));
    expect(isDeniedOrUnanswered(noResponders)).toBe(false);
  });
});
