/**
 * Creating a stream together with its durable consumers.
 *
 * An interest-retention stream (CCTAP_RAW) keeps a message only while some consumer still has to ack it; a
 * message that arrives before its consumer exists is acknowledged to the publisher and dropped at once. So
 * such a stream is created listening on a subject nobody publishes to, its consumers are added, and only
 * then does it take its real subjects: a collector that publishes meanwhile is refused (no stream) and
 * retries, and never loses a batch to the gap. Other retentions are created as they are.
 */
import { RetentionPolicy, type ConsumerConfig, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';

/** `added` is called once the stream exists because of this call (a failed add made nothing to undo). */
export async function createStreamWithConsumers(
  jsm: JetStreamManager,
  want: Partial<StreamConfig> & { name: string },
  consumers: readonly Partial<ConsumerConfig>[],
  added: () => void = () => undefined,
): Promise<void> {
  if (want.retention !== RetentionPolicy.Interest) {
    await jsm.streams.add(want);
    added();
    return;
  }
  await jsm.streams.add({ ...want, subjects: [`_cctap_unbound.${want.name.toLowerCase()}`] });
  added();
  for (const c of consumers) await jsm.consumers.add(want.name, c);
  const created = await jsm.streams.info(want.name);
  await jsm.streams.update(want.name, { ...created.config, subjects: want.subjects ?? [] });
}
