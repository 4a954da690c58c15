/**
 * Alertmanager semantics over the engine's signals: one alert per key (rule + group labels), notified after
 * `groupWait`, updated at most every `groupInterval` when new occurrences arrived, repeated every
 * `repeatInterval` while firing, resolved when the engine says so or nobody re-asserts it for `resolveAfter`,
 * muted by silences and by inhibition (a firing alert of higher severity sharing the `inhibitEqual` labels).
 *
 * Alert lifecycle (times from the injected clock; `tick()` advances decisions):
 *
 *   new ──groupWait──▶ notify(firing, seq 1) ──new occurrences, groupInterval──▶ notify(firing, seq n+1)
 *                            │  └──repeatInterval, still firing──▶ notify(firing, seq n+1)
 *                            └──resolved──(next groupInterval boundary)──▶ notify(resolved) ──delivered──▶ deleted
 *   new ──resolved before its first notification──▶ deleted silently
 *
 * Every decision is written to the state store before the receivers are told; delivery states per receiver
 * are described in state/alert-record.ts. A write the store refuses (NATS down) is not lost: the record is
 * written again, with its latest state, on every tick until the store takes it.
 */
import type { Alert } from '@cctap/events';
import type { Clock, Logger } from '@cctap/kit';
import type { Signal } from '../engine/signal.js';
import { severityRank } from '../rules/rule-schema.js';
import type { RuleSet } from '../rules/load-rules.js';
import {
  isOwed,
  isSettled,
  type AlertRecord,
  type AlertStateStore,
  type Delivery,
  type DeliveryState,
} from '../state/alert-record.js';
import { silenceMatches, type Silence } from '../state/silences.js';
import type { AlerterMetrics } from '../service/alerter-metrics.js';
import { renderTemplate, toAlertMessage } from './alert-message.js';

export interface DispatcherOptions {
  clock: Clock;
  store: AlertStateStore;
  ruleSet: () => RuleSet;
  /** Receiver names known; alerts of rules without `receivers` go to all. */
  receiverNames: () => string[];
  silences: () => readonly Silence[];
  /** Told when a receiver has something new to send. */
  enqueue: (receiver: string, key: string) => void;
  /** Publishes the alert message to the alerts stream (deterministic msg id = alert id). */
  publish?: (alert: Alert) => Promise<void>;
  metrics: AlerterMetrics;
  log: Logger;
}

/** One alert a receiver is about to send. */
export interface SendItem {
  key: string;
  seq: number;
  alert: Alert;
  /** An earlier attempt of this notification may have reached the receiver: this send may duplicate it. */
  maybeReceived: boolean;
}

export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #records = new Map<string, AlertRecord>();
  readonly #writes = new Map<string, Promise<void>>();
  readonly #unpublished = new Map<string, Alert>();
  readonly #publishing = new Map<string, Promise<void>>();
  /** Alerts whose due notification is currently held back (counted once per hold, not per tick). */
  readonly #held = new Set<string>();
  /** Keys whose last write (put or delete) the store refused; retried on every tick. */
  readonly #unsaved = new Map<string, 'put' | 'delete'>();

  constructor(o: DispatcherOptions) {
    this.#o = o;
  }

  get records(): ReadonlyMap<string, AlertRecord> {
    return this.#records;
  }

  /** Loads stored alerts; re-queues what was not delivered. Returns how many were mid-request. */
  async recover(): Promise<{ records: number; inFlight: number }> {
    let inFlight = 0;
    for (const r of await this.#o.store.load()) {
      this.#records.set(r.key, r);
      let changed = false;
      for (const [receiver, d] of Object.entries(r.deliveries)) {
        if (d.state === 'sending') {
          // The request may have reached the receiver before we died: re-send it (at-least-once); the worker
          // counts the re-send as a possible duplicate because of this mark.
          inFlight++;
          d.state = 'pending';
          d.maybeReceived = true;
          changed = true;
        }
        if (d.state === 'pending') this.#o.enqueue(receiver, r.key);
      }
      // A refused write is retried by tick(); until then the store still says `sending`, which is just as safe.
      if (changed) await this.#persist(r).catch(() => undefined);
    }
    this.#updateGauge();
    return { records: this.#records.size, inFlight };
  }

  /** Chains a write after the key's previous one (writes of one key reach the store in order). */
  #write(key: string, op: 'put' | 'delete', run: () => Promise<void>): Promise<void> {
    const prev = this.#writes.get(key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(run);
    this.#writes.set(key, next);
    // Writes settle in order, so the last one to settle says whether the store holds the latest state.
    void next
      .then(
        () => {
          this.#unsaved.delete(key);
        },
        (err: unknown) => {
          this.#unsaved.set(key, op);
          this.#o.metrics.stateWriteFailures.inc();
          this.#o.log.warn('could not write an alert record; retrying on the next tick', { key, op, err });
        },
      )
      .finally(() => {
        if (this.#writes.get(key) === next) this.#writes.delete(key);
      });
    return next;
  }

  #persist(r: AlertRecord): Promise<void> {
    const snapshot = structuredClone(r);
    return this.#write(r.key, 'put', () => this.#o.store.put(snapshot));
  }

  #remove(key: string): Promise<void> {
    this.#records.delete(key);
    this.#held.delete(key);
    return this.#write(key, 'delete', () => this.#o.store.delete(key));
  }

  /** Writes again what the store refused (latest state; a key with a write in flight waits for it). */
  #retryUnsaved(): Promise<void>[] {
    const work: Promise<void>[] = [];
    for (const [key, op] of [...this.#unsaved]) {
      if (this.#writes.has(key)) continue;
      const r = this.#records.get(key);
      if (r) work.push(this.#persist(r).catch(() => undefined));
      else if (op === 'delete')
        work.push(this.#write(key, 'delete', () => this.#o.store.delete(key)).catch(() => undefined));
      else this.#unsaved.delete(key);
    }
    return work;
  }

  /** Resolves once every write issued so far reached the store. */
  async flushWrites(): Promise<void> {
    await Promise.allSettled([...this.#writes.values()]);
  }

  #timing(s: Signal) {
    const d = this.#o.ruleSet().defaults;
    return {
      groupWait: s.rule.groupWait ?? d.groupWait,
      groupInterval: s.rule.groupInterval ?? d.groupInterval,
      repeatInterval: s.rule.repeatInterval ?? d.repeatInterval,
      resolveAfter: s.rule.resolveAfter ?? d.resolveAfter,
    };
  }

  async observe(s: Signal): Promise<void> {
    const now = this.#o.clock.now();
    this.#o.metrics.signals.inc({ rule: s.rule.name, status: s.status });
    let r = this.#records.get(s.key);
    if (s.status === 'resolved') {
      if (r && r.status === 'firing') await this.#resolve(r, now);
      return;
    }
    const evidence = s.evidence ?? r?.evidence;
    if (!r || r.status === 'resolved') {
      const timing = this.#timing(s);
      const base = {
        rule: s.rule.name,
        severity: s.severity,
        labels: { ...s.labels, rule: s.rule.name, severity: s.severity },
        receivers: s.rule.receivers ?? this.#o.receiverNames(),
        description: s.rule.description ?? '',
        status: 'firing' as const,
        startsAt: now,
        endsAt: null,
        lastSeenAt: now,
        occurrences: 1,
        timing,
      };
      if (r) {
        // Fired again before (or after) its resolution went out: a new cycle of the same key.
        Object.assign(r, base, { evidence: evidence ?? r.evidence, notifiedOccurrences: 0 });
        r.notifyAt =
          r.lastNotifiedAt === null ? now + timing.groupWait : Math.max(now, r.lastNotifiedAt + timing.groupInterval);
      } else {
        if (!evidence) return;
        r = {
          ...base,
          key: s.key,
          summary: '',
          evidence,
          seq: 0,
          notifyAt: now + timing.groupWait,
          lastNotifiedAt: null,
          notifiedOccurrences: 0,
          notifiedStatus: null,
          deliveries: {},
        };
        this.#records.set(s.key, r);
      }
      r.summary = renderTemplate(s.rule.summary ?? `${s.rule.name} on {{host}}`, r);
      this.#updateGauge();
      await this.#persist(r);
      if (r.notifyAt !== null && r.notifyAt <= now) await this.tick();
      return;
    }
    r.lastSeenAt = now;
    if (evidence) r.evidence = evidence;
    if (!s.occurrence) return;
    r.occurrences++;
    r.summary = renderTemplate(s.rule.summary ?? `${s.rule.name} on {{host}}`, r);
    if (r.notifyAt === null && r.notifiedStatus === 'firing' && r.lastNotifiedAt !== null) {
      r.notifyAt = Math.max(now, r.lastNotifiedAt + r.timing.groupInterval);
    }
    await this.#persist(r);
    if (r.notifyAt !== null && r.notifyAt <= now) await this.tick();
  }

  async #resolve(r: AlertRecord, now: number): Promise<void> {
    r.status = 'resolved';
    r.endsAt = now;
    this.#updateGauge();
    if (r.notifiedStatus !== 'firing') {
      // Never told anyone it fired: nothing to take back.
      if (Object.values(r.deliveries).every((d) => d.state !== 'sending')) await this.#remove(r.key);
      else {
        r.notifyAt = null;
        await this.#persist(r);
      }
      return;
    }
    r.notifyAt = Math.max(now, (r.lastNotifiedAt ?? now) + r.timing.groupInterval);
    await this.#persist(r);
  }

  /** Why a notification is held back now, or null. */
  #mutedBy(r: AlertRecord, now: number): 'silenced' | 'inhibited' | null {
    if (this.#o.silences().some((s) => silenceMatches(s, r.labels, now))) return 'silenced';
    if (r.status !== 'firing') return null;
    const equal = this.#o.ruleSet().inhibitEqual.filter((l) => (r.labels[l] ?? '') !== '');
    if (equal.length === 0) return null;
    for (const o of this.#records.values()) {
      if (o === r || o.status !== 'firing' || severityRank(o.severity) <= severityRank(r.severity)) continue;
      if (!equal.every((l) => o.labels[l] === r.labels[l])) continue;
      if (this.#o.silences().some((s) => silenceMatches(s, o.labels, now))) continue;
      return 'inhibited';
    }
    return null;
  }

  /** Applies every time-based decision due now. Call after advancing the clock, and periodically. */
  async tick(): Promise<void> {
    const now = this.#o.clock.now();
    const work: Promise<void>[] = this.#retryUnsaved();
    for (const r of [...this.#records.values()]) {
      if (r.status === 'firing' && now - r.lastSeenAt >= r.timing.resolveAfter) {
        // A refused write is retried on the next tick; the other alerts are still decided now.
        await this.#resolve(r, now).catch(() => undefined);
        if (!this.#records.has(r.key)) continue;
      }
      if (
        r.status === 'firing' &&
        r.notifyAt === null &&
        r.notifiedStatus === 'firing' &&
        r.lastNotifiedAt !== null &&
        now >= r.lastNotifiedAt + r.timing.repeatInterval
      ) {
        r.notifyAt = now;
      }
      if (r.notifyAt !== null && now >= r.notifyAt) {
        const muted = this.#mutedBy(r, now);
        if (muted) {
          if (!this.#held.has(r.key)) this.#o.metrics.muted.inc({ rule: r.rule, reason: muted });
          this.#held.add(r.key);
          // A silenced resolution is dropped with the alert; a muted firing is re-checked next tick.
          if (r.status === 'resolved') work.push(this.#remove(r.key).catch(() => undefined));
          continue;
        }
        this.#held.delete(r.key);
        work.push(this.#notify(r, now));
      } else if (isFinished(r)) {
        work.push(this.#remove(r.key).catch(() => undefined));
      }
    }
    for (const [id, alert] of [...this.#unpublished]) this.#publish(id, alert);
    await Promise.all(work);
  }

  async #notify(r: AlertRecord, now: number): Promise<void> {
    r.seq++;
    r.notifyAt = null;
    r.lastNotifiedAt = now;
    r.notifiedStatus = r.status;
    r.notifiedOccurrences = r.occurrences;
    const known = new Set(this.#o.receiverNames());
    for (const name of r.receivers) {
      if (!known.has(name)) continue;
      const prev = r.deliveries[name]?.state;
      if (r.status === 'resolved' && (prev === 'suppressed' || prev === 'summarized')) {
        // The receiver was only told a count: there is no firing of this alert to take back there.
        delete r.deliveries[name];
        continue;
      }
      r.deliveries[name] = { state: 'pending', seq: r.seq, attempts: 0, updatedAt: now, error: null };
    }
    this.#o.metrics.notifications.inc({ rule: r.rule, status: r.status });
    const alert = toAlertMessage(r, now);
    // Durable first: after this write a crash re-sends, before it the next tick decides again. A refused write
    // is retried by tick(); the receivers are told anyway, as a request is only made once `sending` is stored.
    await this.#persist(r).catch(() => undefined);
    for (const name of Object.keys(r.deliveries)) if (r.deliveries[name]!.seq === r.seq) this.#o.enqueue(name, r.key);
    // Not awaited: on the in-process bus a publish resolves once the sink stored it, and the message that
    // caused this notification must not wait for that (alerting never holds back ingestion).
    this.#publish(alert.id, alert);
  }

  /** Publishes in the background; a failure is kept in #unpublished and retried by tick(). */
  #publish(id: string, alert: Alert): void {
    if (!this.#o.publish || this.#publishing.has(id)) return;
    this.#unpublished.delete(id);
    const p = this.#o
      .publish(alert)
      .then(
        () => undefined,
        (err: unknown) => {
          this.#unpublished.set(id, alert);
          this.#o.metrics.publishFailures.inc();
          this.#o.log.warn('could not publish alert; retrying on the next tick', { alert: id, err });
        },
      )
      .finally(() => this.#publishing.delete(id));
    this.#publishing.set(id, p);
  }

  /** Resolves once every publish started so far settled (stop() waits for it before the bus closes). */
  async flushPublishes(): Promise<void> {
    await Promise.allSettled([...this.#publishing.values()]);
  }

  /** Notifications still owed to a receiver: to send (pending or mid-request), or to count in a summary. */
  owedDeliveries(): { toSend: number; toSummarize: number } {
    const owed = { toSend: 0, toSummarize: 0 };
    for (const r of this.#records.values()) {
      for (const d of Object.values(r.deliveries)) {
        if (!isOwed(d)) continue;
        if (d.state === 'suppressed') owed.toSummarize++;
        else owed.toSend++;
      }
    }
    return owed;
  }

  /** The alerts the receiver's cap suppressed and no summary told yet. */
  suppressedFor(receiver: string): { key: string; seq: number; rule: string; severity: AlertRecord['severity'] }[] {
    const out: { key: string; seq: number; rule: string; severity: AlertRecord['severity'] }[] = [];
    for (const r of this.#records.values()) {
      const d = r.deliveries[receiver];
      if (d?.state === 'suppressed') out.push({ key: r.key, seq: d.seq, rule: r.rule, severity: r.severity });
    }
    return out;
  }

  /** The group labels of an alert (for the receiver's grouping); null when the alert is gone. */
  labelsOf(key: string): Readonly<Record<string, string>> | null {
    return this.#records.get(key)?.labels ?? null;
  }

  /**
   * The receiver's cap is reached: these pending notifications are not sent but counted in a summary.
   * Durable like every other delivery state, so a restart still owes the summary.
   */
  async suppress(receiver: string, keys: readonly string[]): Promise<void> {
    const now = this.#o.clock.now();
    const writes: Promise<void>[] = [];
    for (const key of keys) {
      const r = this.#records.get(key);
      const d = r?.deliveries[receiver];
      if (!r || !d || d.state !== 'pending') continue;
      d.state = 'suppressed';
      d.updatedAt = now;
      this.#o.metrics.suppressed.inc({ receiver, rule: r.rule });
      writes.push(this.#persist(r));
    }
    await Promise.allSettled(writes);
  }

  /** Records the outcome of a summary request for the alerts it counted (those still suppressed at that seq). */
  endSummary(
    receiver: string,
    told: readonly { key: string; seq: number }[],
    state: 'summarized' | 'failed',
    error: string | null,
  ): Promise<void> {
    return this.#end(receiver, told, 'suppressed', state, error, false);
  }

  /**
   * A receiver is about to send: marks every alert it will carry as `sending` (durably) and returns the
   * messages that may go out. Keys with nothing pending for this receiver are skipped. An alert whose
   * `sending` write the store refused must not be sent (a crash would then re-send it without counting):
   * it is pending again and returned in `unrecorded` for a later attempt.
   */
  async beginSend(receiver: string, keys: readonly string[]): Promise<{ items: SendItem[]; unrecorded: string[] }> {
    const now = this.#o.clock.now();
    const started: { item: SendItem; delivery: Delivery; write: Promise<void> }[] = [];
    for (const key of keys) {
      const r = this.#records.get(key);
      const d = r?.deliveries[receiver];
      if (!r || !d || d.state !== 'pending') continue;
      d.state = 'sending';
      d.attempts++;
      d.updatedAt = now;
      started.push({
        item: { key, seq: d.seq, alert: toAlertMessage(r, now), maybeReceived: d.maybeReceived === true },
        delivery: d,
        write: this.#persist(r),
      });
    }
    const results = await Promise.allSettled(started.map((s) => s.write));
    const items: SendItem[] = [];
    const unrecorded: string[] = [];
    results.forEach((res, i) => {
      const { item, delivery } = started[i]!;
      if (res.status === 'fulfilled') items.push(item);
      else {
        if (delivery.state === 'sending' && delivery.seq === item.seq) delivery.state = 'pending';
        unrecorded.push(item.key);
      }
    });
    return { items, unrecorded };
  }

  /**
   * Records the outcome of a request; a newer notification decided meanwhile is left pending. `maybeReceived`
   * marks the deliveries so that their next send counts as a possible duplicate. Never rejects: a write the
   * store refuses is retried by tick(), and the in-memory state (which decides what is sent) is already right.
   */
  endSend(
    receiver: string,
    sent: readonly { key: string; seq: number }[],
    state: Exclude<DeliveryState, 'sending'>,
    error: string | null,
    opts: { maybeReceived?: boolean } = {},
  ): Promise<void> {
    return this.#end(receiver, sent, 'sending', state, error, opts.maybeReceived === true);
  }

  /** Moves the deliveries still `from` at their seq to `to`, and ends the alerts that have nothing left to tell. */
  async #end(
    receiver: string,
    list: readonly { key: string; seq: number }[],
    from: DeliveryState,
    to: DeliveryState,
    error: string | null,
    maybeReceived: boolean,
  ): Promise<void> {
    const now = this.#o.clock.now();
    const writes: Promise<void>[] = [];
    for (const { key, seq } of list) {
      const r = this.#records.get(key);
      const d = r?.deliveries[receiver];
      if (!r || !d || d.seq !== seq || d.state !== from) continue;
      d.state = to;
      d.updatedAt = now;
      d.error = error;
      if (maybeReceived) d.maybeReceived = true;
      writes.push(isFinished(r) ? this.#remove(key) : this.#persist(r));
    }
    await Promise.allSettled(writes);
  }

  #updateGauge(): void {
    const counts = { info: 0, warning: 0, critical: 0 };
    for (const r of this.#records.values()) if (r.status === 'firing') counts[r.severity]++;
    for (const [sev, n] of Object.entries(counts)) this.#o.metrics.firing.set({ severity: sev }, n);
  }
}

/** A resolved alert with no notification left to decide or deliver: nothing is left to tell anyone. */
const isFinished = (r: AlertRecord): boolean =>
  r.status === 'resolved' && r.notifyAt === null && Object.values(r.deliveries).every(isSettled);
