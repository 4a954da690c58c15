/**
 * One worker per receiver: sends what is pending, at most one request per `minIntervalMs`, coalescing every
 * alert pending at that moment into one request (Slack: one message per second per webhook; a queue of
 * separate messages would only trade 429s for delay). Retries transient failures (429, 408, 5xx, network)
 * with backoff, honouring Retry-After, folding alerts that became pending meanwhile into the next attempt;
 * stops at a permanent 4xx and reports it. Rate limiting and retries run on real time: they are about the
 * receiver, not about alert semantics.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@cctap/kit';
import type { AlerterMetrics } from '../service/alerter-metrics.js';
import { backoffDelayMs, sendOnce } from '../receivers/http-send.js';
import type { Receiver } from '../receivers/receiver.js';
import type { Dispatcher } from './dispatcher.js';

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
      const batch = await this.#o.dispatcher.beginSend(this.name, keys);
      if (batch.length === 0) continue;
      const idem = batch.length === 1
        ? `${batch[0]!.alert.key}#${batch[0]!.alert.status}#${batch[0]!.seq}`
        : `batch-${createHash('sha256').update(batch.map((b) => `${b.key}#${b.alert.status}#${b.seq}`).sort().join('\n')).digest('hex').slice(0, 32)}`;
      const started = now();
      const outcome = await sendOnce(this.#receiver.request(batch.map((b) => b.alert), idem, started));
      this.#nextAllowedAt = now() + this.#receiver.minIntervalMs;
      const sent = batch.map(({ key, seq }) => ({ key, seq }));
      if (outcome.kind === 'delivered') {
        attempt = 0;
        await this.#o.dispatcher.endSend(this.name, sent, 'sent', null);
        this.#o.metrics.requests.inc({ receiver: this.name, outcome: 'delivered' });
        this.#o.metrics.delivered.inc({ receiver: this.name }, batch.length);
        this.#o.metrics.latency.observe({ receiver: this.name }, Math.max(0, now() - started) / 1000);
      } else if (outcome.kind === 'permanent') {
        attempt = 0;
        await this.#o.dispatcher.endSend(this.name, sent, 'failed', outcome.error);
        this.#o.metrics.requests.inc({ receiver: this.name, outcome: 'rejected' });
        this.#o.metrics.failed.inc({ receiver: this.name }, batch.length);
        this.#o.log.error('receiver refused the notification; not retrying', { receiver: this.name, status: outcome.status, error: outcome.error, alerts: batch.map((b) => b.key) });
      } else {
        attempt++;
        await this.#o.dispatcher.endSend(this.name, sent, 'pending', outcome.error);
        for (const k of sent) this.#pending.add(k.key);
        const cap = this.#o.retryMaxMs ?? 60_000;
        const delay = outcome.retryAfterMs !== null
          ? Math.min(cap, outcome.retryAfterMs)
          : backoffDelayMs(attempt, this.#o.retryBaseMs ?? 500, cap);
        this.#nextAllowedAt = Math.max(this.#nextAllowedAt, now() + delay);
        this.#o.metrics.requests.inc({ receiver: this.name, outcome: outcome.status === 429 ? 'throttled' : 'retry' });
        this.#o.log.warn('receiver request failed; will retry', { receiver: this.name, status: outcome.status, error: outcome.error, retryInMs: delay, attempt });
      }
    }
  }
}
