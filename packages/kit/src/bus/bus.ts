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
 */
import type { ConsumerKey } from '@cctap/events';

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

export interface Bus {
  publish(subject: string, data: Uint8Array, opts: PublishOptions): Promise<PubAck>;
  close(): Promise<void>;
}

export type { ConsumerKey };
