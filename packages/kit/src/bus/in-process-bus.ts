/**
 * The Bus in one process (single-process mode, DESIGN section 8): the same stream names and consumers as
 * the NATS topology, kept in memory.
 *
 * Per stream: an append-only list of messages (trimmed once every known consumer is past them, and capped)
 * and a msg-id dedup window. Per durable consumer: its own cursor, the set of in-flight sequences, naked
 * sequences waiting for their redelivery time, and delivery counts.
 *
 * Message life, per consumer:
 *   stored -> delivered -> ack                          done
 *                       -> nak(delay)  -> delivered again after the delay
 *                       -> nak when deliveries >= maxDeliver, or term(reason)
 *                                      -> republished to `<root>.dlq.<consumer>` with origin headers; done
 *
 * `publish` resolves once every subscribed consumer of the stream is done with the message. A handler that
 * publishes (validator -> events) must not wait for itself, nor for a consumer upstream of it in the same
 * causal chain (that consumer is blocked awaiting us): the chain of consumers is carried in an
 * AsyncLocalStorage and those consumers are not waited for.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CONSUMERS,
  STREAM_KEYS,
  deadLetterMsgId,
  type ConsumerKey,
  type StreamKey,
  type Topology,
} from '@cctap/events';
import {
  DLQ_HEADERS,
  type Bus,
  type BusMessage,
  type ConsumeOptions,
  type PubAck,
  type PublishOptions,
  type StoredMessage,
  type Subscription,
} from './bus.js';
import { consumerMetrics, settle, trackedMessage, type TrackedMessage } from '../consumer/outcome.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/registry.js';
import { sleep } from '../time/sleep.js';

export interface InProcessBusOptions {
  topology: Topology;
  /** Deliveries before a message is dead-lettered. Default 10. */
  maxDeliver?: number;
  duplicateWindowMs?: number;
  /**
   * Message ids kept per stream for the duplicate window, at most; beyond, the oldest goes first. Default 50,000.
   * A backfill publishes far more than that within the window (a derived event is a message), and the ids
   * are what a retry is checked against, seconds after the first try: without a cap they grew with the
   * history read (250k ids, ~30 MB, in a 1 GB backfill). An id republished after its eviction is stored again,
   * and what consumes it absorbs the copy as it absorbs a redelivery (the store's dedup by id, the analyzer's
   * and the alerter's seen ids).
   */
  maxDuplicateIds?: number;
  /**
   * The durable consumers that exist (as provisioned on a server): a message is kept until each of them is
   * past it, so one started later still reads from the start. Default: every consumer of the topology.
   * Single-process mode lists the ones it runs.
   */
  consumers?: readonly ConsumerKey[];
  /** Bytes kept per stream at most; the oldest messages go first (like max_bytes with DiscardOld). Default 256 MiB. */
  maxBytesPerStream?: number;
  logger?: Logger;
  metrics?: Metrics;
  /**
   * Called synchronously for each dead letter, before anything else settles. In process the DLQ stream is
   * memory, and a terminated message counts as done for its publisher (whose checkpoint then moves past it):
   * this is where a caller keeps it durably.
   */
  onDeadLetter?: (d: InProcessDeadLetter) => void;
  /** How soon a message whose dead letter could not be kept is offered again. Default 5 s. */
  deadLetterRetryMs?: number;
}

/** A message a consumer terminated or gave up on, with where it came from. */
export interface InProcessDeadLetter {
  consumer: ConsumerKey;
  stream: string;
  subject: string;
  seq: number;
  deliveries: number;
  kind: 'terminated' | 'max_deliveries';
  reason: string;
  data: Uint8Array;
}

interface Stored extends StoredMessage {
  msgId: string;
  /** The consumers whose handlers (transitively) published this message. */
  chain: ReadonlySet<ConsumerKey>;
  /** Consumers still to finish with it, resolved when the set empties. */
  waiting: Set<ConsumerKey>;
  done: () => void;
}

interface MemStream {
  key: StreamKey;
  name: string;
  prefix: string;
  messages: Stored[];
  bytes: number;
  lastSeq: number;
  dedup: Map<string, { seq: number; at: number }>;
}

interface ConsumerState {
  key: ConsumerKey;
  stream: MemStream;
  /** Next never-delivered sequence. */
  cursor: number;
  inFlight: Set<number>;
  /** seq -> time it becomes deliverable again */
  retry: Map<number, number>;
  deliveries: Map<number, number>;
  subscribers: number;
  wakers: Set<() => void>;
}

const chain = new AsyncLocalStorage<ReadonlySet<ConsumerKey>>();

export class InProcessBus implements Bus {
  private readonly streams = new Map<StreamKey, MemStream>();
  private readonly consumers = new Map<ConsumerKey, ConsumerState>();
  private readonly subs = new Set<Subscription>();
  private readonly chainOf = new WeakMap<TrackedMessage, ReadonlySet<ConsumerKey>>();
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly o: InProcessBusOptions) {
    this.log = o.logger ?? silentLogger;
    const t = o.topology;
    for (const key of STREAM_KEYS) {
      if (key === 'advisories') continue; // dead letters are routed directly in process
      this.streams.set(key, {
        key,
        name: t.stream(key),
        prefix: `${t.root}.${key}.`,
        messages: [],
        bytes: 0,
        lastSeq: 0,
        dedup: new Map(),
      });
    }
    for (const key of o.consumers ?? (Object.keys(CONSUMERS) as ConsumerKey[])) {
      const stream = this.streams.get(CONSUMERS[key].stream);
      if (!stream) continue;
      this.consumers.set(key, {
        key,
        stream,
        cursor: 1,
        inFlight: new Set(),
        retry: new Map(),
        deliveries: new Map(),
        subscribers: 0,
        wakers: new Set(),
      });
    }
  }

  async publish(subject: string, data: Uint8Array, opts: PublishOptions): Promise<PubAck> {
    if (this.closed) throw new Error('bus closed');
    const stream = [...this.streams.values()].find((s) => subject.startsWith(s.prefix));
    if (!stream) throw new Error(`no stream captures subject ${subject}`);
    const now = Date.now();
    const windowMs = this.o.duplicateWindowMs ?? 20 * 60_000;
    const seen = stream.dedup.get(opts.msgId);
    if (seen && now - seen.at < windowMs) return { stream: stream.name, seq: seen.seq, duplicate: true };
    // Ids are kept in publish order (re-inserted when reused), so expired ones are at the front: stop at the
    // first live one. Scanning them all on every publish made a busy window quadratic (the analyzer publishes
    // a few derived events per session: 100k short sessions took minutes).
    if (stream.dedup.size > 10_000) {
      for (const [id, v] of stream.dedup) {
        if (now - v.at < windowMs) break;
        stream.dedup.delete(id);
      }
    }

    const seq = ++stream.lastSeq;
    stream.dedup.delete(opts.msgId);
    stream.dedup.set(opts.msgId, { seq, at: now });
    if (stream.dedup.size > (this.o.maxDuplicateIds ?? 50_000)) stream.dedup.delete(stream.dedup.keys().next().value!);
    const upstream = chain.getStore();
    const waiting = new Set<ConsumerKey>();
    for (const c of this.consumers.values())
      if (c.stream === stream && c.subscribers > 0 && !upstream?.has(c.key)) waiting.add(c.key);
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    stream.bytes += data.byteLength;
    stream.messages.push({
      subject,
      seq,
      data,
      headers: { ...opts.headers, 'Nats-Msg-Id': opts.msgId },
      msgId: opts.msgId,
      chain: upstream ?? new Set(),
      waiting,
      done,
    });
    this.trim(stream);
    if (waiting.size === 0) done();
    for (const c of this.consumers.values()) if (c.stream === stream) this.wake(c);
    await finished;
    return { stream: stream.name, seq, duplicate: false };
  }

  consume(consumer: ConsumerKey, handler: (msg: BusMessage) => Promise<void>, opts: ConsumeOptions = {}): Subscription {
    return this.run(
      consumer,
      async (msgs) => {
        for (const m of msgs) {
          await this.handleOne(consumer, [m], () => handler(m));
        }
      },
      opts.batchSize ?? 1,
    );
  }

  consumeBatch(
    consumer: ConsumerKey,
    handler: (msgs: readonly BusMessage[]) => Promise<void>,
    opts: ConsumeOptions = {},
  ): Subscription {
    return this.run(consumer, (msgs) => this.handleOne(consumer, msgs, () => handler(msgs)), opts.batchSize ?? 100);
  }

  async read(stream: StreamKey, opts: { fromSeq?: number; max?: number } = {}): Promise<StoredMessage[]> {
    const s = this.streams.get(stream);
    if (!s) return [];
    const from = opts.fromSeq ?? 1;
    return s.messages
      .filter((m) => m.seq >= from)
      .slice(0, opts.max ?? 100)
      .map(({ subject, seq, data, headers }) => ({ subject, seq, data, headers }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subs].map((s) => s.stop()));
  }

  private async handleOne(consumer: ConsumerKey, msgs: TrackedMessage[], call: () => Promise<void>): Promise<void> {
    const m = consumerMetrics(this.o.metrics, consumer);
    const t0 = performance.now();
    let err: unknown;
    // The chain travels with the messages, not with the loop that happens to deliver them.
    const upstream = new Set<ConsumerKey>([consumer]);
    for (const x of msgs) for (const k of this.chainOf.get(x) ?? []) upstream.add(k);
    try {
      await chain.run(upstream, call);
    } catch (e) {
      err = e ?? new Error('handler threw a nullish value');
    }
    m.observe((performance.now() - t0) / 1000);
    const redelivered = msgs.filter((x) => x.deliveryCount > 1).length;
    if (redelivered > 0) m.redelivered(redelivered);
    settle(msgs, err, m, this.log.child({ consumer }));
  }

  private run(key: ConsumerKey, handle: (msgs: TrackedMessage[]) => Promise<void>, batchSize: number): Subscription {
    const c = this.consumers.get(key);
    if (!c) throw new Error(`consumer ${key} has no in-process stream`);
    c.subscribers += 1;
    let stopping = false;
    let wakeMe: (() => void) | null = null;
    const loop = async () => {
      while (!stopping && !this.closed) {
        const batch = this.take(c, batchSize);
        if (batch.length === 0) {
          const nextRetry = Math.min(...c.retry.values());
          const woken = new AbortController();
          wakeMe = () => woken.abort();
          c.wakers.add(wakeMe);
          await sleep(Number.isFinite(nextRetry) ? Math.max(1, nextRetry - Date.now()) : Infinity, woken.signal);
          c.wakers.delete(wakeMe);
          continue;
        }
        await handle(batch);
      }
    };
    const done = loop().catch((err: unknown) => this.log.error('in-process consumer crashed', { consumer: key, err }));
    const sub: Subscription = {
      done,
      stop: async () => {
        stopping = true;
        wakeMe?.();
        await done;
        if (this.subs.delete(sub)) c.subscribers -= 1;
      },
    };
    this.subs.add(sub);
    return sub;
  }

  /** Picks up to n deliverable messages: due redeliveries first (lowest seq), then new ones in order. */
  private take(c: ConsumerState, n: number): TrackedMessage[] {
    const now = Date.now();
    const seqs: number[] = [];
    const due = [...c.retry.entries()]
      .filter(([, at]) => at <= now)
      .map(([s]) => s)
      .sort((a, b) => a - b);
    for (const s of due) {
      if (seqs.length >= n) break;
      c.retry.delete(s);
      seqs.push(s);
    }
    while (seqs.length < n && c.cursor <= c.stream.lastSeq) seqs.push(c.cursor++);
    const out: TrackedMessage[] = [];
    for (const seq of seqs) {
      const stored = this.find(c.stream, seq);
      if (!stored) continue; // trimmed by the cap
      const deliveries = (c.deliveries.get(seq) ?? 0) + 1;
      c.deliveries.set(seq, deliveries);
      c.inFlight.add(seq);
      out.push(this.deliver(c, stored, deliveries));
    }
    return out;
  }

  private deliver(c: ConsumerState, s: Stored, deliveryCount: number): TrackedMessage {
    const finish = () => {
      c.inFlight.delete(s.seq);
      c.deliveries.delete(s.seq);
      if (s.waiting.delete(c.key) && s.waiting.size === 0) s.done();
      this.trim(c.stream);
    };
    const maxDeliver = this.o.maxDeliver ?? 10;
    const retry = (delayMs: number) => {
      c.inFlight.delete(s.seq);
      c.retry.set(s.seq, Date.now() + delayMs);
      this.wake(c);
    };
    const msg = trackedMessage(
      {
        subject: s.subject,
        data: s.data,
        headers: s.headers,
        msgId: s.msgId,
        stream: c.stream.name,
        seq: s.seq,
        deliveryCount,
      },
      {
        ack: finish,
        nak: (delayMs) => {
          if (deliveryCount < maxDeliver) return retry(delayMs ?? 0);
          if (this.deadLetter(c, s, deliveryCount, 'max_deliveries', `max deliveries (${maxDeliver}) reached`))
            finish();
          // Not kept: offered again on the same schedule as a terminated message that could not be kept.
          else retry(this.o.deadLetterRetryMs ?? 5000);
        },
        term: (reason) => {
          if (this.deadLetter(c, s, deliveryCount, 'terminated', `terminated: ${reason}`)) finish();
          // Not kept (onDeadLetter failed): not done either, so its publisher's checkpoint cannot pass it.
          else retry(this.o.deadLetterRetryMs ?? 5000);
        },
        working: () => undefined,
      },
    );
    this.chainOf.set(msg, s.chain);
    return msg;
  }

  /** Routes a message to the DLQ; false when onDeadLetter could not keep it (the caller redelivers instead). */
  private deadLetter(
    c: ConsumerState,
    s: Stored,
    deliveries: number,
    kind: InProcessDeadLetter['kind'],
    reason: string,
  ): boolean {
    const t = this.o.topology;
    try {
      this.o.onDeadLetter?.({
        consumer: c.key,
        stream: c.stream.name,
        subject: s.subject,
        seq: s.seq,
        deliveries,
        kind,
        reason,
        data: s.data,
      });
    } catch (err) {
      this.log.error('dead letter could not be kept; redelivering it later', { consumer: c.key, seq: s.seq, err });
      return false;
    }
    const headers: Record<string, string> = {
      [DLQ_HEADERS.stream]: c.stream.name,
      [DLQ_HEADERS.subject]: s.subject,
      [DLQ_HEADERS.seq]: String(s.seq),
      [DLQ_HEADERS.deliveries]: String(deliveries),
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.consumer]: c.key,
    };
    this.log.warn('dead letter', { consumer: c.key, stream: c.stream.name, seq: s.seq, reason });
    // Nothing consumes the DLQ in process, so this resolves at once; do not await inside a settle.
    void this.publish(t.subjects.dlq(c.key), s.data, {
      msgId: deadLetterMsgId(c.stream.name, s.seq, c.key),
      headers,
    }).catch((err: unknown) => this.log.error('dead letter lost', { err, seq: s.seq }));
    return true;
  }

  private find(s: MemStream, seq: number): Stored | undefined {
    const first = s.messages[0]?.seq ?? seq + 1;
    const m = s.messages[seq - first];
    return m?.seq === seq ? m : s.messages.find((x) => x.seq === seq);
  }

  /** Drops messages every declared consumer of the stream is done with, and the oldest above the byte cap. */
  private trim(s: MemStream): void {
    // A stream nobody consumes (the DLQ) keeps what it has, up to the byte cap.
    let floor = [...this.consumers.values()].some((c) => c.stream === s) ? s.lastSeq + 1 : 0;
    for (const c of this.consumers.values()) {
      if (c.stream !== s) continue;
      floor = Math.min(floor, c.cursor);
      for (const q of c.inFlight) floor = Math.min(floor, q);
      for (const q of c.retry.keys()) floor = Math.min(floor, q);
    }
    const cap = this.o.maxBytesPerStream ?? 256 * 1024 * 1024;
    let drop = 0;
    let bytes = s.bytes;
    while (drop < s.messages.length && (s.messages[drop]!.seq < floor || bytes > cap)) {
      bytes -= s.messages[drop]!.data.byteLength;
      drop++;
    }
    if (drop > 0) {
      for (const m of s.messages.slice(0, drop)) m.done(); // never leave a publisher hanging on a dropped message
      s.messages.splice(0, drop);
      s.bytes = bytes;
    }
  }

  private wake(c: ConsumerState): void {
    for (const w of [...c.wakers]) w();
    c.wakers.clear();
  }
}

export function createInProcessBus(opts: InProcessBusOptions): InProcessBus {
  return new InProcessBus(opts);
}
