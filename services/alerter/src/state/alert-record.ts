/**
 * The durable record of one alert (one key), and of its delivery to each receiver.
 *
 * Delivery state machine, per receiver (written to the store before and after every HTTP call):
 *
 *   pending ──(request starts; `sending` stored)──▶ sending ──(2xx)──────────────────────▶ sent
 *      ▲                                              │ ──(429, 408, 5xx, network, timeout)─▶ pending (retried, backoff)
 *      │                                              └──(other 4xx)──────────────────────▶ failed  (metric, log, state)
 *      ├──(receiver cap reached)──▶ suppressed ──(summary delivered)──▶ summarized
 *      └──(new notification: update, repeat, resolve)── sent | failed | summarized
 *
 * `maybeReceived` is set on the delivery when an attempt of this `seq` may have reached the receiver (5xx,
 * timeout or reset after the request was written) and when a restart finds it `sending`; it stays set until
 * the next notification replaces the delivery. Every later send of that `seq` is a possible duplicate and is
 * counted in cctap_alerter_possible_duplicate_notifications_total (dispatch/delivery-worker.ts lists the
 * windows). A restart re-sends `pending` and `sending`, never `sent`. A request is only made once `sending`
 * is stored; when the `sent` write fails the delivery stays `sent` in memory and the record is written again
 * until the store takes it (no re-send while the process lives; a crash before that re-sends, counted).
 *
 * Alert status: firing until the engine resolves it or nobody re-asserts it for `resolveAfter`; then
 * resolved, which is notified once (if the firing was) and the record is deleted once delivered.
 */
import type { Evidence } from '../engine/signal.js';
import type { Severity } from '../rules/rule-schema.js';

/**
 * `suppressed`: the receiver's cap was reached; the alert waits to be counted in a summary notification
 * ("N more alerts of rule X suppressed"); `summarized`: that summary was delivered.
 */
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'summarized';

/** Nothing is left to send to this receiver for this notification. */
export const isSettled = (d: Delivery): boolean =>
  d.state === 'sent' || d.state === 'failed' || d.state === 'summarized';

/** Still owed to the receiver: a restart resumes it (a suppressed one is owed a summary). */
export const isOwed = (d: Delivery): boolean =>
  d.state === 'pending' || d.state === 'sending' || d.state === 'suppressed';

export interface Delivery {
  state: DeliveryState;
  /** The notification sequence this state refers to. */
  seq: number;
  attempts: number;
  updatedAt: number;
  error: string | null;
  /** An earlier attempt of this seq may have reached the receiver: the next send is a possible duplicate. */
  maybeReceived?: boolean;
}

export interface AlertRecord {
  key: string;
  rule: string;
  severity: Severity;
  summary: string;
  description: string;
  labels: Record<string, string>;
  receivers: string[];
  status: 'firing' | 'resolved';
  startsAt: number;
  endsAt: number | null;
  lastSeenAt: number;
  occurrences: number;
  evidence: Evidence;
  /** Sequence of the last notification decided (0: none yet). */
  seq: number;
  /** When the next notification is due; null: nothing due. */
  notifyAt: number | null;
  lastNotifiedAt: number | null;
  /** Occurrences already told in a notification (an update is due when more arrived). */
  notifiedOccurrences: number;
  /** The status the last notification told. */
  notifiedStatus: 'firing' | 'resolved' | null;
  deliveries: Record<string, Delivery>;
  timing: { groupWait: number; groupInterval: number; repeatInterval: number; resolveAfter: number };
}

/** Where alert records live: NATS KV in production, memory in single-process mode and tests. */
export interface AlertStateStore {
  load(): Promise<AlertRecord[]>;
  put(record: AlertRecord): Promise<void>;
  delete(key: string): Promise<void>;
}

export class MemoryAlertStateStore implements AlertStateStore {
  readonly records = new Map<string, AlertRecord>();
  async load(): Promise<AlertRecord[]> {
    return [...this.records.values()].map((r) => structuredClone(r));
  }
  async put(record: AlertRecord): Promise<void> {
    this.records.set(record.key, structuredClone(record));
  }
  async delete(key: string): Promise<void> {
    this.records.delete(key);
  }
}
