/**
 * The message bus every service talks to. Two implementations share this interface and one test suite:
 * JetStream (production) and in-process (single-process mode, DESIGN section 8).
 *
 * Semantics both must honour:
 * - `publish` resolves only once the message is durably accepted: for JetStream the PubAck; in process, once
 *   every durable consumer of the matching stream has acked it (so the collector's checkpoint rule holds).
 * - a `msgId` seen again within the duplicate window is accepted without being stored twice (`duplicate: true`).
 * - each durable consumer has its own position; messages are delivered in order per subject; a message
 *   not acked (nak, or handler failure) is redelivered; after `maxDeliver` attempts, or on `term`, it goes
 *   to the dead-letter subject with its origin and reason.
 *
 * Handlers settle messages through their outcome (see errors.ts): return -> ack, RetryableError -> nak(delay),
 * PermanentError -> term(reason), anything else -> nak(backoff). A handler may also settle a message itself
 * (`msg.term(...)` for one bad message of a batch); the loop then leaves that message alone.
 */
import type { ConsumerKey, StreamKey } from '@cctap/events';

export interface PublishOptions {
  /** Nats-Msg-Id: a deterministic id that makes republishing the same content harmless. */
  msgId: string;
  headers?: Record<string, string>;
}

export interface PubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

/** One delivery of a stored message to a durable consumer. */
export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** The Nats-Msg-Id it was published with, if any. */
  readonly msgId: string | undefined;
  readonly stream: string;
  /** Stream sequence: stable across redeliveries. */
  readonly seq: number;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  /** True once acked, naked or termed (by the handler or the loop). */
  readonly settled: boolean;
  ack(): void;
  nak(delayMs?: number): void;
  term(reason: string): void;
  /** Tells the server we are still busy with it (resets the ack timer). The loop calls it on long work. */
  working(): void;
}

export type MessageHandler = (msg: BusMessage) => Promise<void>;
export type BatchHandler = (msgs: readonly BusMessage[]) => Promise<void>;

export interface ConsumeOptions {
  /** Largest number of messages fetched (and, for consumeBatch, handed to the handler) at once. Default 100. */
  batchSize?: number;
  /** How long one pull waits for messages, ms (JetStream minimum 1000). Default 1000. */
  expiresMs?: number;
  /**
   * consumeBatch on JetStream: pull the next batch while the handler works on this one, so the round trip of
   * a pull overlaps the work instead of following it (one batch more held in memory). Default false.
   */
  prefetch?: boolean;
}

/** A running consumer. `stop()` stops pulling, lets in-flight work finish and settle, then resolves. */
export interface Subscription {
  stop(): Promise<void>;
  /** Resolves when the loop has ended (after stop, or when the bus closes). */
  readonly done: Promise<void>;
}

/** A message as stored in a stream (for inspection: dead letters, tests). */
export interface StoredMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
  headers: Record<string, string>;
}

export interface Bus {
  publish(subject: string, data: Uint8Array, opts: PublishOptions): Promise<PubAck>;
  /** One message at a time, in order. */
  consume(consumer: ConsumerKey, handler: MessageHandler, opts?: ConsumeOptions): Subscription;
  /** Up to `batchSize` messages per call, for handlers that write a batch at once (sink, validator). */
  consumeBatch(consumer: ConsumerKey, handler: BatchHandler, opts?: ConsumeOptions): Subscription;
  /** Reads stored messages of a stream from `fromSeq` (default 1), at most `max` (default 100). */
  read(stream: StreamKey, opts?: { fromSeq?: number; max?: number }): Promise<StoredMessage[]>;
  /** Stops every subscription, then releases the transport (the bus does not close a connection it was given). */
  close(): Promise<void>;
}

/** Headers the dead-letter path sets on a republished message. */
export const DLQ_HEADERS = {
  stream: 'Cctap-Dlq-Stream',
  subject: 'Cctap-Dlq-Subject',
  seq: 'Cctap-Dlq-Seq',
  deliveries: 'Cctap-Dlq-Deliveries',
  reason: 'Cctap-Dlq-Reason',
  consumer: 'Cctap-Dlq-Consumer',
} as const;

export type { ConsumerKey };
