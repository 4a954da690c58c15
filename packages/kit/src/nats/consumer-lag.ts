import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** What a durable consumer has not finished: never delivered (`pending`) and delivered but not acked (`ackPending`). */
export interface ConsumerLag {
  pending: number;
  ackPending: number;
}

export async function consumerLag(jsm: JetStreamManager, stream: string, consumer: string): Promise<ConsumerLag> {
  const info = await jsm.consumers.info(stream, consumer);
  return { pending: info.num_pending, ackPending: info.num_ack_pending };
}

export type ConsumerLagReader = (stream: string, consumer: string) => Promise<ConsumerLag>;

/** consumerLag on a connection, for callers that poll it: the JetStream manager is made once, at the first read. */
export function consumerLagReader(nc: NatsConnection): ConsumerLagReader {
  let jsm: JetStreamManager | null = null;
  return async (stream, consumer) => consumerLag((jsm ??= await jetstreamManager(nc)), stream, consumer);
}
