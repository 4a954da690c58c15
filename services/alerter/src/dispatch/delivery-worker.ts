/**
 * One worker per receiver: sends what is pending, at most one request per `minIntervalMs`, coalescing every
 * alert pending at that moment into one request (Slack: one message per second per webhook; a queue of
 * separate messages would only trade 429s for delay). Retries transient failures (429, 408, 5xx, network)
 * with backoff, honouring Retry-After, folding alerts that became pending meanwhile into the next attempt;
 * stops at a permanent 4xx and reports it. Rate limiting and retries run on real time: they are about the
 * receiver, not about alert semantics.
 *
 * Grouping and the storm cap (the receiver's `limits`): pending alerts are split by the receiver's `groupBy`
 * labels; a group sends `groupWait` after it first had something, then at most every `groupInterval`, all its
 * pending alerts in one request. Each alert sent takes one of the cap's `alerts` places for the window (its
 * retries and later notifications keep it); past them, alerts are marked `suppressed` in the store, and a
 * summary request ("N more alerts of rule X suppressed", one alert per rule) goes out at once and then at
 * most every `summaryInterval`; alerts due go first. Summaries are retried like alerts and carry an
 * Idempotency-Key over the alerts they count; they are not counted as possible duplicates.
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
import { backoffDelay, sleep, type Logger } from '@cctap/kit';
import type { AlerterMetrics } from '../service/alerter-metrics.js';
import { sendOnce, type SendOutcome } from '../receivers/http-send.js';
import type { Receiver } from '../receivers/receiver.js';
import { idempotencyKey, suppressionSummary } from './alert-message.js';
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

/** A receiver group: since when it has had something to send, and when it last sent. */
interface GroupState {
  since: number | null;
  lastSentAt: number | null;
}

export class DeliveryWorker {
  readonly #o: DeliveryWorkerOptions;
  #receiver: Receiver;
  readonly #pending = new Set<string>();
  #nextAllowedAt = 0;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  readonly #groups = new Map<string, GroupState>();
  #windowStart = -Infinity;
  /** Alerts that took one of the cap's places in the current window. */
  readonly #admitted = new Set<string>();
  #summaryDueAt: number | null = null;
  #lastSummaryAt = -Infinity;
  /** The window whose cap was reported (one log line per window, not per alert). */
  #capLoggedFor: number | null = null;

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

  async #sleep(ms: number): Promise<void> {
    // Woken by stop() and by new work (a new group may be due before the timer).
    const woken = new AbortController();
    this.#wake = () => woken.abort();
    await sleep(ms, woken.signal);
    this.#wake = null;
  }

  /** The receiver group an alert belongs to (values of the receiver's `groupBy` labels). */
  #groupOf(key: string): string {
    const labels = this.#o.dispatcher.labelsOf(key) ?? {};
    return this.#receiver.limits.groupBy.map((l) => labels[l] ?? '').join('\u0000');
  }

  /** When a group may send: `groupWait` after it first had something, then every `groupInterval`. */
  #groupDueAt(since: number, lastSentAt: number | null): number {
    const l = this.#receiver.limits;
    return lastSentAt === null ? since + l.groupWaitMs : Math.max(since, lastSentAt + l.groupIntervalMs);
  }

  /** The keys of the group due earliest, or when the next group becomes due. */
  #nextGroup(at: number): { keys: string[]; group: string } | { wakeAt: number } | null {
    const byGroup = new Map<string, string[]>();
    for (const k of this.#pending) {
      const g = this.#groupOf(k);
      const list = byGroup.get(g);
      if (list) list.push(k);
      else byGroup.set(g, [k]);
    }
    let wakeAt = Infinity;
    if (this.#groups.size > 10_000) {
      // Groups with nothing to send whose interval has passed behave like new ones: forget them.
      for (const [g, st] of this.#groups)
        if (!byGroup.has(g) && (st.lastSentAt ?? -Infinity) + this.#receiver.limits.groupIntervalMs <= at)
          this.#groups.delete(g);
    }
    for (const [g, keys] of byGroup) {
      let st = this.#groups.get(g);
      if (!st) this.#groups.set(g, (st = { since: at, lastSentAt: null }));
      st.since ??= at;
      const due = this.#groupDueAt(st.since, st.lastSentAt);
      if (due <= at) return { keys, group: g };
      wakeAt = Math.min(wakeAt, due);
    }
    return wakeAt === Infinity ? null : { wakeAt };
  }

  /**
   * Splits a group's keys into those the cap lets out in this window and those it suppresses. An alert
   * admitted once keeps its place for the window (its retries, updates and resolution are not counted
   * again); the window restarts when it has passed.
   */
  #admit(keys: readonly string[], at: number): { send: string[]; over: string[] } {
    const cap = this.#receiver.limits.cap;
    if (at - this.#windowStart >= cap.windowMs) {
      this.#windowStart = at;
      this.#admitted.clear();
    }
    const send: string[] = [];
    const over: string[] = [];
    for (const k of keys) {
      if (this.#admitted.has(k) || this.#admitted.size < cap.alerts) {
        if (send.length >= this.#receiver.maxAlertsPerRequest) continue; // the next request
        this.#admitted.add(k);
        send.push(k);
      } else {
        over.push(k);
      }
    }
    return { send, over };
  }

  async #run(): Promise<void> {
    const now = this.#o.now ?? Date.now;
    let attempt = 0;
    let storeAttempt = 0;
    // Suppressions a previous run left unsummarized are owed a summary.
    if (this.#o.dispatcher.suppressedFor(this.name).length > 0) this.#summaryDueAt = now();
    while (this.#running) {
      const at = now();
      const wait = this.#nextAllowedAt - at;
      if (wait > 0 && (this.#pending.size > 0 || this.#summaryDueAt !== null)) {
        await this.#sleep(wait);
        continue;
      }
      const next = this.#pending.size > 0 ? this.#nextGroup(at) : null;
      // Alerts due go first: a summary (even one the receiver keeps refusing) never holds them back.
      if ((next === null || 'wakeAt' in next) && this.#summaryDueAt !== null && this.#summaryDueAt <= at) {
        try {
          attempt = await this.#summarize(attempt);
        } catch (err) {
          this.#nextAllowedAt = Math.max(this.#nextAllowedAt, now() + (this.#o.retryMaxMs ?? 60_000));
          this.#o.log.error('summary attempt failed unexpectedly; will retry', { receiver: this.name, err });
        }
        continue;
      }
      if (next === null || 'wakeAt' in next) {
        const wakeAt = Math.min(next?.wakeAt ?? Infinity, this.#summaryDueAt ?? Infinity);
        await this.#sleep(wakeAt === Infinity ? Infinity : Math.max(1, wakeAt - at));
        continue;
      }
      const { send: keys, over } = this.#admit(next.keys, at);
      for (const k of keys) this.#pending.delete(k);
      for (const k of over) this.#pending.delete(k);
      if (over.length > 0) {
        // A storm: beyond the cap, alerts are counted, not sent; the summary tells how many.
        await this.#o.dispatcher.suppress(this.name, over);
        this.#summaryDueAt ??= Math.max(at, this.#lastSummaryAt + this.#receiver.limits.cap.summaryIntervalMs);
        if (this.#capLoggedFor !== this.#windowStart) {
          this.#capLoggedFor = this.#windowStart;
          this.#o.log.warn(
            'receiver cap reached; alerts are suppressed until the window ends (a summary tells how many)',
            {
              receiver: this.name,
              cap: this.#receiver.limits.cap.alerts,
              windowMs: this.#receiver.limits.cap.windowMs,
            },
          );
        }
      }
      if (keys.length === 0) continue;
      const group = this.#groups.get(next.group)!;
      try {
        const { items, unrecorded } = await this.#o.dispatcher.beginSend(this.name, keys);
        if (unrecorded.length > 0) {
          // The store is away (NATS down): those wait for it rather than go out unrecorded.
          storeAttempt++;
          for (const k of unrecorded) this.#pending.add(k);
          const delay = this.#retryDelay(storeAttempt, this.#o.retryMaxMs ?? 60_000);
          this.#nextAllowedAt = Math.max(this.#nextAllowedAt, now() + delay);
          this.#o.log.warn('could not record the start of a delivery; not sending those alerts yet', {
            receiver: this.name,
            alerts: unrecorded.length,
            retryInMs: delay,
          });
        } else {
          storeAttempt = 0;
        }
        if (items.length === 0) continue;
        attempt = await this.#attempt(items, attempt);
        if (attempt === 0) {
          // The group went out: its next notification waits groupInterval; what is left of it joins that one.
          group.lastSentAt = at;
          group.since = null;
        }
      } catch (err) {
        // Nothing here is expected to throw; if it does, the worker must live on and the alerts stay queued.
        for (const k of keys) this.#pending.add(k);
        this.#nextAllowedAt = Math.max(this.#nextAllowedAt, now() + (this.#o.retryMaxMs ?? 60_000));
        this.#o.log.error('delivery attempt failed unexpectedly; will retry', { receiver: this.name, err });
      }
    }
  }

  /** One summary request: per rule, how many alerts the cap suppressed; returns the retry attempt. */
  async #summarize(attempt: number): Promise<number> {
    const now = this.#o.now ?? Date.now;
    const told = this.#o.dispatcher.suppressedFor(this.name);
    if (told.length === 0) {
      this.#summaryDueAt = null;
      return attempt;
    }
    const byRule = new Map<string, { severity: SendItem['alert']['severity']; n: number }>();
    for (const t of told) {
      const e = byRule.get(t.rule);
      if (e) e.n++;
      else byRule.set(t.rule, { severity: t.severity, n: 1 });
    }
    const batch = createHash('sha256')
      .update(
        told
          .map((t) => `${t.key}#${t.seq}`)
          .sort()
          .join('\n'),
      )
      .digest('hex')
      .slice(0, 32);
    const started = now();
    const alerts = [...byRule].map(([rule, { severity, n }]) =>
      suppressionSummary(this.name, rule, severity, n, batch, started),
    );
    const outcome = await sendOnce(this.#receiver.request(alerts, `suppressed-${batch}`, started));
    this.#nextAllowedAt = now() + this.#receiver.minIntervalMs;
    if (outcome.kind === 'retry') {
      const next = attempt + 1;
      const delay = this.#backOff(outcome, next);
      this.#o.log.warn('summary request failed; will retry', {
        receiver: this.name,
        status: outcome.status,
        error: outcome.error,
        retryInMs: delay,
      });
      return next;
    }
    const ok = outcome.kind === 'delivered';
    await this.#o.dispatcher.endSummary(this.name, told, ok ? 'summarized' : 'failed', ok ? null : outcome.error);
    this.#o.metrics.requests.inc({ receiver: this.name, outcome: ok ? 'delivered' : 'rejected' });
    if (ok) this.#o.metrics.summaries.inc({ receiver: this.name });
    else
      this.#o.log.error('receiver refused the suppression summary; not retrying', {
        receiver: this.name,
        error: outcome.error,
      });
    this.#lastSummaryAt = started;
    // Suppressed while this request was out: the next summary, one interval later.
    this.#summaryDueAt =
      this.#o.dispatcher.suppressedFor(this.name).length > 0
        ? started + this.#receiver.limits.cap.summaryIntervalMs
        : null;
    return 0;
  }

  /** One request for `items` (already `sending` in the store) and its recording; returns the retry attempt. */
  async #attempt(items: readonly SendItem[], attempt: number): Promise<number> {
    const now = this.#o.now ?? Date.now;
    const keys = items.map((b) => idempotencyKey(b.key, Date.parse(b.alert.startsAt), b.alert.status, b.seq));
    const idem =
      keys.length === 1
        ? keys[0]!
        : `batch-${createHash('sha256')
            .update([...keys].sort().join('\n'))
            .digest('hex')
            .slice(0, 32)}`;
    const repeats = items.filter((b) => b.maybeReceived);
    if (repeats.length > 0) {
      this.#o.metrics.possibleDuplicates.inc({ receiver: this.name }, repeats.length);
      this.#o.log.warn('re-sending notifications an earlier attempt may have delivered (possible duplicates)', {
        receiver: this.name,
        possibleDuplicates: repeats.length,
        idempotencyKey: idem,
        alerts: repeats
          .map((b) => idempotencyKey(b.key, Date.parse(b.alert.startsAt), b.alert.status, b.seq))
          .slice(0, 10),
      });
    }
    const started = now();
    const outcome = await sendOnce(
      this.#receiver.request(
        items.map((b) => b.alert),
        idem,
        started,
      ),
    );
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
      this.#o.log.error('receiver refused the notification; not retrying', {
        receiver: this.name,
        status: outcome.status,
        error: outcome.error,
        alerts: items.map((b) => b.key),
      });
      return 0;
    }
    const next = attempt + 1;
    await this.#o.dispatcher.endSend(this.name, sent, 'pending', outcome.error, {
      maybeReceived: outcome.mayHaveReached,
    });
    for (const k of sent) this.#pending.add(k.key);
    const delay = this.#backOff(outcome, next);
    this.#o.log.warn('receiver request failed; will retry', {
      receiver: this.name,
      status: outcome.status,
      error: outcome.error,
      mayHaveReached: outcome.mayHaveReached,
      retryInMs: delay,
      attempt: next,
    });
    return next;
  }

  /** Receivers are many clients of few servers: full jitter keeps their retries from arriving together. */
  #retryDelay(attempt: number, capMs: number): number {
    return backoffDelay(attempt, { baseMs: this.#o.retryBaseMs ?? 500, capMs, jitter: 'full' });
  }

  /** After a retryable outcome: holds requests back (Retry-After, else backoff for `attempt`) and counts it; returns the delay. */
  #backOff(outcome: Extract<SendOutcome, { kind: 'retry' }>, attempt: number): number {
    const now = this.#o.now ?? Date.now;
    const cap = this.#o.retryMaxMs ?? 60_000;
    const delay = outcome.retryAfterMs !== null ? Math.min(cap, outcome.retryAfterMs) : this.#retryDelay(attempt, cap);
    this.#nextAllowedAt = Math.max(this.#nextAllowedAt, now() + delay);
    this.#o.metrics.requests.inc({ receiver: this.name, outcome: outcome.status === 429 ? 'throttled' : 'retry' });
    return delay;
  }
}
