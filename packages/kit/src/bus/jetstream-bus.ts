/**
 * The Bus over NATS JetStream. Streams and consumers must already exist (`cctap provision`): replicas never
 * create them lazily, so a typo cannot silently create a second pipeline. Dead letters are moved by the
 * forwarder (dlq/forwarder.ts) from the server's advisories, not by this class.
 */
import { headers as natsHeaders, type NatsConnection, type Status } from '@nats-io/transport-node';
import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { deadLetterMsgId, forgetWritten, type ConsumerKey, type StreamKey, type Topology } from '@cctap/events';
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
import { serverVersion } from '../nats/connect.js';
import { runPullLoop } from '../consumer/pull-loop.js';
import { StrandedSweep } from '../consumer/stranded-sweep.js';
import { headerRecord } from '../nats/header-record.js';
import { StorageRefusalState, type StorageRefusal } from './storage-refusal.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/registry.js';

export interface JetStreamBusOptions {
  topology: Topology;
  logger?: Logger;
  metrics?: Metrics;
  /** PubAck timeout, ms. Default 10 s. */
  publishTimeoutMs?: number;
  /** How often each consumer looks for stranded messages (consumer/stranded-sweep.ts). Default 15 s. */
  strandedSweepMs?: number;
}

/** How often each consumer looks for stranded messages, unless told. */
const DEFAULT_SWEEP_MS = 15_000;

export class JetStreamBus implements Bus {
  readonly js: JetStreamClient;
  private jsm: JetStreamManager | null = null;
  private readonly subs = new Set<Subscription>();
  /** One stranded sweep per consumer, shared by its loops (stranded-sweep.ts). */
  private readonly sweeps = new Map<string, StrandedSweep>();
  /** The connection's status changes, watched once the first sweep exists; stopped by close(). */
  private statuses: (AsyncIterable<Status> & { stop?: () => void }) | null = null;
  private readonly publishes;
  private readonly termWithReason: boolean;
  private readonly storage: StorageRefusalState;

  constructor(
    readonly nc: NatsConnection,
    private readonly o: JetStreamBusOptions,
  ) {
    this.js = jetstream(nc);
    const [major, minor] = serverVersion(nc);
    this.termWithReason = major > 2 || (major === 2 && minor >= 11);
    this.publishes = o.metrics?.counter('cctap_publish_total', 'Messages published, by stream and result', [
      'stream',
      'result',
    ]);
    this.storage = new StorageRefusalState(o.metrics, o.logger);
  }

  /** Non-null while JetStream refuses publishes for lack of storage: the process is then not ready. */
  storageRefusal(): StorageRefusal | null {
    return this.storage.current();
  }

  async publish(subject: string, data: Uint8Array, opts: PublishOptions): Promise<PubAck> {
    // The bytes leave the process: what the codecs remembered of them is of no use here any more.
    forgetWritten(data);
    let h;
    if (opts.headers && Object.keys(opts.headers).length > 0) {
      h = natsHeaders();
      for (const [k, v] of Object.entries(opts.headers)) h.set(k, v);
    }
    try {
      const ack = await this.js.publish(subject, data, {
        msgID: opts.msgId,
        timeout: this.o.publishTimeoutMs ?? 10_000,
        ...(h ? { headers: h } : {}),
      });
      this.publishes?.inc({ stream: this.label(ack.stream), result: ack.duplicate ? 'duplicate' : 'ok' });
      this.storage.published();
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      this.publishes?.inc({ stream: 'unknown', result: 'error' });
      this.storage.failed(subject, err);
      throw err;
    }
  }

  consume(consumer: ConsumerKey, handler: (msg: BusMessage) => Promise<void>, opts: ConsumeOptions = {}): Subscription {
    return this.track(consumer, 'each', (msgs) => handler(msgs[0]!), opts);
  }

  consumeBatch(
    consumer: ConsumerKey,
    handler: (msgs: readonly BusMessage[]) => Promise<void>,
    opts: ConsumeOptions = {},
  ): Subscription {
    return this.track(consumer, 'batch', handler, opts);
  }

  /**
   * consumeBatch on a durable of the topology consumer's stream under another name: one partition's
   * consumer of a partitioned service (the analyzer's `analyzer-p<k>`), settled and dead-lettered as `consumer`.
   */
  consumeBatchFrom(
    consumer: ConsumerKey,
    durable: string,
    handler: (msgs: readonly BusMessage[]) => Promise<void>,
    opts: ConsumeOptions = {},
  ): Subscription {
    return this.track(consumer, 'batch', handler, opts, durable);
  }

  /**
   * (Re)makes `durable`, one partition's consumer of the provisioned `consumer` (`filter`: its subjects), for
   * a new owner of the partition: with the provisioned consumer's settings, starting at the first message the
   * partition's previous consumer had not acknowledged (or, for a first one, after what the provisioned
   * consumer acknowledged, so a stream one unpartitioned service consumed before is not read again). Made
   * afresh rather than resumed: a resumed consumer would hand the new owner later messages before the
   * redelivery of those the old owner left unacknowledged, and a service that skips what is at or below a
   * session's last applied sequence would then skip them. Partition consumers are the one thing made
   * outside `cctap provision`: they follow from a provisioned consumer, never from a typo.
   */
  async resetPartitionConsumer(consumer: ConsumerKey, durable: string, filter: string): Promise<void> {
    const jsm = await this.manager();
    const t = this.o.topology;
    const stream = t.consumerStream(consumer);
    const base = await jsm.consumers.info(stream, t.consumer(consumer));
    const previous = await jsm.consumers.info(stream, durable).catch(() => null);
    const floor = (previous ?? base).ack_floor.stream_seq;
    if (previous) await jsm.consumers.delete(stream, durable);
    const { name: _n, durable_name: _d, filter_subject: _f, opt_start_seq: _s, ...settings } = base.config;
    await jsm.consumers.add(stream, {
      ...settings,
      durable_name: durable,
      filter_subject: filter,
      ...(floor > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
  }

  async read(stream: StreamKey, opts: { fromSeq?: number; max?: number } = {}): Promise<StoredMessage[]> {
    const jsm = await this.manager();
    const name = this.o.topology.stream(stream);
    const info = await jsm.streams.info(name);
    const out: StoredMessage[] = [];
    const max = opts.max ?? 100;
    for (
      let seq = Math.max(opts.fromSeq ?? 1, info.state.first_seq);
      seq <= info.state.last_seq && out.length < max;
      seq++
    ) {
      const m = await jsm.streams.getMessage(name, { seq }).catch(() => null);
      if (!m) continue; // deleted or expired
      out.push({ subject: m.subject, seq: m.seq, data: m.data, headers: headerRecord(m.header) });
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subs].map((s) => s.stop()));
    this.statuses?.stop?.();
  }

  private async manager(): Promise<JetStreamManager> {
    this.jsm ??= await jetstreamManager(this.nc);
    return this.jsm;
  }

  /** The consumer's sweep, made on first use; none when sweeping is off. */
  private sweepOf(stream: string, durable: string, everyMs: number): StrandedSweep | undefined {
    if (everyMs <= 0) return undefined;
    const key = `${stream}\u001f${durable}`;
    let sweep = this.sweeps.get(key);
    if (!sweep) this.sweeps.set(key, (sweep = new StrandedSweep(() => this.manager(), stream, durable, everyMs / 2)));
    // The server passes messages over around its restarts, also when no pull failed because every loop was
    // handling a batch meanwhile: a disconnect opens each sweep's window as well.
    if (!this.statuses) {
      const statuses = (this.statuses = this.nc.status() as AsyncIterable<Status> & { stop?: () => void });
      void (async () => {
        for await (const s of statuses)
          if (s.type === 'disconnect' || s.type === 'reconnect') for (const w of this.sweeps.values()) w.disturbed();
      })().catch(() => undefined);
    }
    return sweep;
  }

  private track(
    consumer: ConsumerKey,
    mode: 'each' | 'batch',
    handle: (msgs: readonly BusMessage[]) => Promise<void>,
    opts: ConsumeOptions,
    durable?: string,
  ): Subscription {
    const t = this.o.topology;
    const stream = t.consumerStream(consumer);
    const name = durable ?? t.consumer(consumer);
    const everyMs = this.o.strandedSweepMs ?? DEFAULT_SWEEP_MS;
    const sweep = this.sweepOf(stream, name, everyMs);
    const sub = runPullLoop({
      ...opts,
      nc: this.nc,
      js: this.js,
      stream,
      durable: name,
      ...(sweep ? { sweep: { sweep, everyMs } } : {}),
      label: consumer,
      mode,
      handle,
      termWithReason: this.termWithReason,
      // The same message id as the forwarder's copy (dlq/forwarder.ts), so the one that comes second is dropped.
      keepBeforeTerm: (msg, reason) =>
        this.publish(t.subjects.dlq(consumer), msg.data, {
          msgId: deadLetterMsgId(msg.stream, msg.seq, consumer),
          headers: {
            [DLQ_HEADERS.stream]: msg.stream,
            [DLQ_HEADERS.subject]: msg.subject,
            [DLQ_HEADERS.seq]: String(msg.seq),
            [DLQ_HEADERS.deliveries]: String(msg.deliveryCount),
            [DLQ_HEADERS.reason]: `terminated: ${reason}`,
            [DLQ_HEADERS.consumer]: consumer,
          },
        }).then(() => undefined),
      ...(this.o.logger ? { logger: this.o.logger } : {}),
      ...(this.o.metrics ? { metrics: this.o.metrics } : {}),
    });
    this.subs.add(sub);
    void sub.done.then(() => this.subs.delete(sub));
    return sub;
  }

  /** Stream names without a test prefix, so the label stays bounded. */
  private label(stream: string): string {
    const i = stream.indexOf('CCTAP_');
    return i >= 0 ? stream.slice(i) : stream;
  }
}

export function createJetStreamBus(nc: NatsConnection, opts: JetStreamBusOptions): JetStreamBus {
  return new JetStreamBus(nc, opts);
}
