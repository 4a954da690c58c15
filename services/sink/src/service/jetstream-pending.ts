/** Consumer lag from JetStream: num_pending of a durable consumer (messages not yet delivered). */
import type { Topology } from '@cctap/events';
import { consumerLagReader } from '@cctap/kit';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SinkConsumer } from './create-sink.js';

export async function jetStreamPending(nc: NatsConnection, t: Topology): Promise<(c: SinkConsumer) => Promise<number>> {
  const lag = consumerLagReader(nc);
  return async (c) => (await lag(t.consumerStream(c), t.consumer(c))).pending;
}
