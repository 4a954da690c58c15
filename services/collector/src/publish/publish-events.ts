/**
 * The publisher's reports as events. Publisher takes its three reports as callbacks at construction; here
 * they become events of an emitter created with it, so whoever acts on them (the tailer) can be built
 * afterwards, with the publisher in hand, and subscribe then.
 */
import { EventEmitter } from 'node:events';
import type { Frontier } from './ack-frontier.js';
import type { CutBatch } from './batch-cutter.js';
import { Publisher, type PublisherOptions, type PublishSource } from './publisher.js';

export interface PublishEvents<S> {
  /** JetStream acknowledged `b` (before the frontier moves, so before its checkpoint is written). */
  delivered: [S, CutBatch];
  /** The acknowledged frontier of the source moved: persist it. */
  frontier: [S, Frontier];
  /** A batch of the source is done (acked or given up). */
  settled: [S];
}

export type PublisherSettings<S extends PublishSource> = Omit<
  PublisherOptions<S>,
  'onFrontier' | 'onDelivered' | 'onSettled'
>;

export function publisherWithEvents<S extends PublishSource>(
  settings: PublisherSettings<S>,
): { publisher: Publisher<S>; events: EventEmitter<PublishEvents<S>> } {
  const events = new EventEmitter<PublishEvents<S>>();
  const publisher = new Publisher<S>({
    ...settings,
    onDelivered: (s, b) => events.emit('delivered', s, b),
    onFrontier: (s, f) => events.emit('frontier', s, f),
    onSettled: (s) => events.emit('settled', s),
  });
  return { publisher, events };
}
