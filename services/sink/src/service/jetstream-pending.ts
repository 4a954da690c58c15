/** Consumer lag from JetStream: num_pending of a durable consumer (messages not yet delivered). */
import type { Topology } from '@cctap/events';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SinkConsumer } from './create-sink.js';

export async function jetStreamPending(nc: NatsConnection, t: Topology): Promise<(c: SinkConsumer) => Promise<number>> {
  const jsm = await jetstreamManager(nc);
  return async (c) => (await jsm.consumers.info(t.consumerStream(c), t.consumer(c))).num_pending;
}
