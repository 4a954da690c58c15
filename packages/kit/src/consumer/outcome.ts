/**
 * Maps a handler's outcome to acks (the table is in errors.ts), and counts it. Shared by the JetStream pull
 * loop and the in-process bus so both settle messages the same way.
 */
import type { BusMessage } from '../bus/bus.js';
import { backoffMs, PermanentError, RetryableError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/registry.js';

export type Outcome = 'ack' | 'nak' | 'term';

export interface ConsumerMetrics {
  settled(outcome: Outcome, n?: number): void;
  observe(seconds: number): void;
  redelivered(n: number): void;
  /** Messages handed over by the stranded-message sweep (stranded-sweep.ts). */
  stranded(n: number): void;
}

export function consumerMetrics(metrics: Metrics | undefined, consumer: string): ConsumerMetrics {
  if (!metrics) return { settled() {}, observe() {}, redelivered() {}, stranded() {} };
  const total = metrics.counter('cctap_messages_total', 'Messages settled by a consumer, by outcome', [
    'consumer',
    'outcome',
  ]);
  const seconds = metrics.histogram(
    'cctap_message_processing_seconds',
    'Handler time per message or batch',
    ['consumer'],
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  );
  const redeliveries = metrics.counter('cctap_redeliveries_total', 'Deliveries beyond the first', ['consumer']);
  const stranded = metrics.counter(
    'cctap_stranded_messages_total',
    'Stored messages below every ack floor that no delivery would bring, handled by the sweep',
    ['consumer'],
  );
  return {
    settled: (outcome, n = 1) => total.inc({ consumer, outcome }, n),
    observe: (s) => seconds.observe({ consumer }, s),
    redelivered: (n) => redeliveries.inc({ consumer }, n),
    stranded: (n) => stranded.inc({ consumer }, n),
  };
}

/** Settles every message the handler left unsettled, according to how the handler ended. */
export function settle(msgs: readonly TrackedMessage[], err: unknown, m: ConsumerMetrics, log: Logger): void {
  const open = msgs.filter((x) => !x.settled);
  if (open.length > 0) {
    if (err === undefined) {
      for (const x of open) x.ack();
    } else if (err instanceof PermanentError) {
      for (const x of open) x.term(err.reason);
      log.warn('message terminated', { reason: err.reason, count: open.length, firstSeq: open[0]!.seq });
    } else {
      for (const x of open)
        x.nak(err instanceof RetryableError && err.delayMs !== undefined ? err.delayMs : backoffMs(x.deliveryCount));
      const level = err instanceof RetryableError ? 'warn' : 'error';
      log[level]('message will be redelivered', {
        err,
        count: open.length,
        firstSeq: open[0]!.seq,
        deliveries: open[0]!.deliveryCount,
      });
    }
  }
  const counts: Record<Outcome, number> = { ack: 0, nak: 0, term: 0 };
  for (const x of msgs) if (x.outcome) counts[x.outcome] += 1;
  for (const o of ['ack', 'nak', 'term'] as const) if (counts[o] > 0) m.settled(o, counts[o]);
}

/** A BusMessage that remembers how it was settled. */
export interface TrackedMessage extends BusMessage {
  readonly outcome: Outcome | null;
}

export interface SettleOps {
  ack(): void;
  nak(delayMs: number | undefined): void;
  term(reason: string): void;
  working(): void;
}

/** Wraps transport operations so each message is settled at most once. */
export function trackedMessage(
  fields: Omit<BusMessage, 'settled' | 'ack' | 'nak' | 'term' | 'working'>,
  ops: SettleOps,
): TrackedMessage {
  let outcome: Outcome | null = null;
  const once = (o: Outcome, run: () => void) => {
    if (outcome !== null) return;
    outcome = o;
    run();
  };
  return {
    ...fields,
    get settled() {
      return outcome !== null;
    },
    get outcome() {
      return outcome;
    },
    ack: () => once('ack', () => ops.ack()),
    nak: (delayMs?: number) => once('nak', () => ops.nak(delayMs)),
    term: (reason: string) => once('term', () => ops.term(reason)),
    working: () => {
      if (outcome === null) ops.working();
    },
  };
}
