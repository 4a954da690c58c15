/**
 * A Bus that reports every message it published (after the publish resolved, so in process: after every
 * consumer acked it; on JetStream: after the PubAck). `cctap up` hands it to the validator, the analyzer
 * and the alerter so the live feed sees what they emit without an extra consumer, on either bus.
 */
import type { Bus } from '@cctap/kit';

export type PublishedHook = (subject: string, data: Uint8Array) => void;

export function tapBus(bus: Bus, onPublished: PublishedHook): Bus {
  return {
    async publish(subject, data, opts) {
      const ack = await bus.publish(subject, data, opts);
      if (!ack.duplicate) {
        try {
          onPublished(subject, data);
        } catch {
          // the feed is a view: it never fails a publish
        }
      }
      return ack;
    },
    consume: (consumer, handler, opts) => bus.consume(consumer, handler, opts),
    consumeBatch: (consumer, handler, opts) => bus.consumeBatch(consumer, handler, opts),
    read: (stream, opts) => bus.read(stream, opts),
    close: () => bus.close(),
  };
}
