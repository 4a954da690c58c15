/**
 * One worker per receiver: sends what is pending, at most one request per `minIntervalMs`, coalescing every
 * alert pending at that moment into one request (Slack: one message per second per webhook; a queue of
 * separate messages would only trade 429s for delay). Retries transient failures (429, 408, 5xx, network)
 * with backoff, honouring Retry-After, folding alerts that became pending meanwhile into the next attempt;
 * stops at a permanent 4xx and reports it. Rate limiting and retries run on real time: they are about the
 * receiver, not about alert semantics.
 *
 * One attempt:
 *
 *   beginSend: `sending` stored ──refused──▶ pending again, no request (back off; a crash cannot re-send
 *      │                                     something the store never saw leave)
 *      ▼
 *   request ──2xx──────────────────────────▶ sent (a refused `sent` write is retried by the dispatcher's tick,
 *      │                                          never by re-sending)
 *      ├──5xx; timeout/reset after write──▶ pending, maybeReceived ──▶ retried with backoff
 *      ├──429, 408; failure before write──▶ pending                 ──▶ retried (429: after Retry-After)
 *      └──other 4xx───────────────────────▶ failed
 *
 * Possible duplicates. Delivery is at least once; the receiver can drop repeats by `Idempotency-Key` (or each
 * alert's `id`). cctap_alerter_possible_duplicate_notifications_total counts, by the number of alerts in the
 * request, every send of a notification (key, status, seq) whose earlier attempt may have reached the receiver,
 * that is every re-send after one of these windows:
 *   1. restart mid-request: a restart finds the delivery `sending` (killed after `sending` was stored and
 *      before the outcome was; this includes a 2xx whose `sent` write had not reached the store);
 *   2. timeout after the request was written (the receiver may have it and answer later);
 *   3. connection reset or abort after the request was written (incl. a reused keep-alive connection the
 *      receiver had just closed: counted, though it is rarely a real repeat);
 *   4. a 5xx answer (a receiver or its proxy can fail after acting on the request).
 * The mark is durable (`maybeReceived` on the delivery, stored with `pending`), so a restart between the
 * ambiguous attempt and the re-send still counts it, and it holds for every later send of that seq, so each
 * repeat counts once. Coalesced requests count only their marked alerts; alerts that joined later are new.
 * An attempt that ended in one of these does not mark the delivery, because the receiver certainly does not
 * have the request, so the re-send after it is not counted (unless an earlier attempt of the seq marked it):
 * 429 (with or without Retry-After), 408, connection refused, DNS failure, unreachable host, TLS failure, a
 * timeout before the request was written, a `sending` write the store refused (no request is made). The count is made just before the
 * request goes out, before its outcome is known: counting after it would lose the count of a re-send that
 * reached the receiver when a kill came first. So a kill before the request, or a marked re-send that is then
 * refused, over-counts by that request; nothing under-counts.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@cctap/kit';
import type { AlerterMetrics } from '../service/alerter-metrics.js';
import { backoffDelayMs, sendOnce } from '../receivers/http-send.js';
import type { Receiver } from '../receivers/receiver.js';
import { idempotencyKey } from './alert-message.js';
import type { Dispatcher, SendItem } from './dispatcher.js';

export interface DeliveryWorkerOptions {
  receiver: Receiver;
  dispatcher: Dispatcher;
  metrics: AlerterMetrics;
  log: Logger;
  /** First retry delay (full jitter up to base * 2^attempt), default 500 ms. */
  retryBaseMs?: number;
  /** Largest retry delay, default 60 s; also caps a Retry-After. */
  retryMaxMs?: number;
  /** Wall clock for signatures and latency; defaults to Date.now. */
  now?: () => number;
}

export class DeliveryWorker {
  readonly #o: DeliveryWorkerOptions;
  #receiver: Receiver;
  readonly #pending = new Set<string>();
  #nextAllowedAt = 0;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #sleepTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(o: DeliveryWorkerOptions) {
    this.#o = o;
    this.#receiver = o.receiver;
  }

  get name(): string {
    return this.#receiver.name;
  }

  /** A reloaded configuration changed the receiver's URL, secret or limits. */
  setReceiver(r: Receiver): void {
    this.#receiver = r;
  }

  enqueue(key: string): void {
    this.#pending.add(key);
    this.#wake?.();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Lets an in-flight request finish and be recorded, then stops. Pending alerts stay pending in the store. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        if (this.#sleepTimer) clearTimeout(this.#sleepTimer);
        this.#sleepTimer = null;
        this.#wake = null;
        resolve();
      };
      this.#wake = ms === Infinity ? done : () => { if (!this.#running) done(); };
      if (ms !== Infinity) this.#sleepTimer = setTimeout(done, ms);
    });
  }

  async #run(): Promise<void> {
    const now = this.#o.now ?? Date.now;
    let attempt = 0;
    let storeAttempt = 0;
    while (this.#running) {
      if (this.#pending.size === 0) {
        await this.#sleep(Infinity);
        continue;
      }
      const wait = this.#nextAllowedAt - now();
      if (wait > 0) {
        await this.#sleep(wait);
        continue;
      }
      const keys = [...this.#pending].slice(0, this.#receiver.maxAlertsPerRequest);
      for (const k of keys) this.#pending.delete(k);
      try {
        const { items, unrecorded } = await this.#o.dispatcher.beginSend(this.name, keys);
        if (unrecorded.length > 0) {
          // The store is away (NATS down): those wait for it rather than go out unrecorded.
          storeAttempt++;
          for (const k of unrecorded) this.#pending.add(k);
          const delay = backoffDelayMs(storeAttempt, this.#o.retryBaseMs ?? 500, this.#o.retryMaxMs ?? 60_000);
          this.#nextAllowedAt = Math.max(this.#nextAllowedAt, now() + delay);
          this.#o.log.warn('could not record the start of a delivery; not sending those alerts yet', { receiver: this.name, alerts: unrecorded.length, retryInMs: delay });
        } else {
          storeAttempt = 0;
        }
        if (items.length === 0) continue;
        attempt = await this.#attempt(items, attempt);
      } catch (err) {
        // Nothing here is expected to throw; if it does, the worker must live on and the alerts stay queued.
        for (const k of keys) this.#pending.add(k);
        this.#nextAllowedAt = Math.max(this.#nextAllowedAt, now() + (this.#o.retryMaxMs ?? 60_000));
        this.#o.log.error('delivery attempt failed unexpectedly; will retry', { receiver: this.name, err });
      }
    }
  }

  /** One request for `items` (already `sending` in the store) and its recording; returns the retry attempt. */
  async #attempt(items: readonly SendItem[], attempt: number): Promise<number> {
    const now = this.#o.now ?? Date.now;
    const keys = items.map((b) => idempotencyKey(b.key, Date.parse(b.alert.startsAt), b.alert.status, b.seq));
    const idem = keys.length === 1 ? keys[0]! : `batch-${createHash('sha256').update([...keys].sort().join('\n')).digest('hex').slice(0, 32)}`;
    const repeats = items.filter((b) => b.maybeReceived);
    if (repeats.length > 0) {
      this.#o.metrics.possibleDuplicates.inc({ receiver: this.name }, repeats.length);
      this.#o.log.warn('re-sending notifications an earlier attempt may have delivered (possible duplicates)', { receiver: this.name, possibleDuplicates: repeats.length, idempotencyKey: idem, alerts: repeats.map((b) => idempotencyKey(b.key, Date.parse(b.alert.startsAt), b.alert.status, b.seq)).slice(0, 10) });
    }
    const started = now();
    const outcome = await sendOnce(this.#receiver.request(items.map((b) => b.alert), idem, started));
    this.#nextAllowedAt = now() + this.#receiver.minIntervalMs;
    const sent = items.map(({ key, seq }) => ({ key, seq }));
    if (outcome.kind === 'delivered') {
      await this.#o.dispatcher.endSend(this.name, sent, 'sent', null);
      this.#o.metrics.requests.inc({ receiver: this.name, outcome: 'delivered' });
      this.#o.metrics.delivered.inc({ receiver: this.name }, items.length);
      this.#o.metrics.latency.observe({ receiver: this.name }, Math.max(0, now() - started) / 1000);
      return 0;
    }
    if (outcome.kind === 'permanent') {
      await this.#o.dispatcher.endSend(this.name, sent, 'failed', outcome.error);
      this.#o.metrics.requests.inc({ receiver: this.name, outcome: 'rejected' });
      this.#o.metrics.failed.inc({ receiver: this.name }, items.length);
      this.#o.log.error('receiver refused the notification; not retrying', { receiver: this.name, status: outcome.status, error: outcome.error, alerts: items.map((b) => b.key) });
      return 0;
    }
    const next = attempt + 1;
    await this.#o.dispatcher.endSend(this.name, sent, 'pending', outcome.error, { maybeReceived: outcome.mayHaveReached });
    for (const k of sent) this.#pending.add(k.key);
    const cap = this.#o.retryMaxMs ?? 60_000;
    const delay = outcome.retryAfterMs !== null
      ? Math.min(cap, outcome.retryAfterMs)
      : backoffDelayMs(next, this.#o.retryBaseMs ?? 500, cap);
    this.#nextAllowedAt = Math.max(this.#nextAllowedAt, now() + delay);
    this.#o.metrics.requests.inc({ receiver: this.name, outcome: outcome.status === 429 ? 'throttled' : 'retry' });
    this.#o.log.warn('receiver request failed; will retry', { receiver: this.name, status: outcome.status, error: outcome.error, mayHaveReached: outcome.mayHaveReached, retryInMs: delay, attempt: next });
    return next;
  }
}
