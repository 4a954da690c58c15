/**
 * The JetStream pull-consumer loop every service runs (through the JetStream bus).
 *
 * States:
 *   binding   -> get the durable consumer (retry every second while it or the stream is missing)
 *   fetching  -> fetch up to batchSize messages, waiting at most expiresMs
 *   handling  -> run the handler (per message, or once per batch); call working() on the in-flight
 *                messages every ackProgressMs so a long batch is not redelivered under our feet
 *   settling  -> map the outcome to ack / nak(delay) / term(reason) (errors.ts)
 *   -> fetching again, or binding again when the fetch failed (missed heartbeats, consumer deleted,
 *      connection trouble): the consumer object is recreated rather than trusted. Messages that the failed
 *      fetch had already delivered (batch mode collects them until the fetch ends) are nak'd, so they are
 *      redelivered at once instead of waiting out the consumer's ack_wait.
 *   sweeping  -> every sweep.everyMs: messages the stream stores that the server will never deliver (on an
 *                interest stream, below every consumer's ack floor; on a limits stream, passed over around a
 *                failed pull) are handled like a delivery (stranded-sweep.ts)
 * stop(): no new fetch is started, a pending fetch is stopped, messages already received are handled and
 * settled, acks are flushed to the server, then `done` resolves.
 */
import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BusMessage, ConsumeOptions, Subscription } from '../bus/bus.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/registry.js';
import { headerRecord } from '../nats/header-record.js';
import { sleep } from '../time/sleep.js';
import { consumerMetrics, settle, trackedMessage, type TrackedMessage } from './outcome.js';
import type { StrandedMessage, StrandedSweep } from './stranded-sweep.js';

export interface PullLoopOptions extends ConsumeOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  stream: string;
  durable: string;
  /** Bounded label for metrics (the topology consumer key, without test prefixes). */
  label: string;
  mode: 'each' | 'batch';
  handle: (msgs: readonly BusMessage[]) => Promise<void>;
  /** Whether the server understands `+TERM <reason>` (2.11+); older servers ignore the whole term. */
  termWithReason?: boolean;
  /**
   * Keeps a copy of a message before it is terminated. On an interest-retention stream (CCTAP_RAW) a term
   * removes the message at once, so the dead-letter forwarder, which fetches the original by sequence from
   * the advisory, would find nothing. When the copy fails the message is naked instead, never lost.
   */
  keepBeforeTerm?: (msg: TrackedMessage, reason: string) => Promise<void>;
  /** How often to signal progress on in-flight messages; keep well below the consumer's ack_wait. */
  ackProgressMs?: number;
  /**
   * The stranded sweep of this consumer (stranded-sweep.ts), shared with its other loops in the process, and
   * how often this loop runs it; without one, the loop never sweeps.
   */
  sweep?: { sweep: StrandedSweep; everyMs: number };
  logger?: Logger;
  metrics?: Metrics;
}

/** How long a message whose dead-letter copy failed waits before it is offered again. */
const KEEP_FAILED_NAK_MS = 5000;

function wrapJsMsg(
  m: JsMsg,
  termWithReason = false,
  keepBeforeTerm?: PullLoopOptions['keepBeforeTerm'],
): TrackedMessage {
  const headers = headerRecord(m.headers);
  const term = (r: string) => (termWithReason ? m.term(r) : m.term());
  const msg: TrackedMessage = trackedMessage(
    {
      subject: m.subject,
      data: m.data,
      headers,
      msgId: headers['Nats-Msg-Id'],
      stream: m.info.stream,
      seq: m.info.streamSequence,
      deliveryCount: m.info.deliveryCount,
    },
    {
      ack: () => m.ack(),
      nak: (d) => m.nak(d),
      term: (r) => {
        if (!keepBeforeTerm) return term(r);
        void keepBeforeTerm(msg, r).then(
          () => term(r),
          () => m.nak(KEEP_FAILED_NAK_MS),
        );
      },
      working: () => m.working(),
    },
  );
  return msg;
}

/**
 * A stranded message as a delivery: its ack deletes it from an interest stream, a nak hands it back to the next
 * sweep, a term keeps its dead-letter copy first (as a term of a delivered message on an interest stream does).
 */
function wrapStranded(
  s: StrandedMessage,
  stream: string,
  sweep: StrandedSweep,
  log: Logger,
  keepBeforeTerm?: PullLoopOptions['keepBeforeTerm'],
): TrackedMessage {
  const remove = () =>
    sweep
      .remove(s.seq)
      .catch((err: unknown) => log.warn('could not delete a handled stranded message', { seq: s.seq, err }));
  const msg: TrackedMessage = trackedMessage(
    {
      subject: s.subject,
      data: s.data,
      headers: s.headers,
      msgId: s.headers['Nats-Msg-Id'],
      stream,
      seq: s.seq,
      deliveryCount: 1,
    },
    {
      ack: () => void remove(),
      nak: () => sweep.handBack(s.seq),
      term: (r) => void (keepBeforeTerm ? keepBeforeTerm(msg, r).then(remove, () => undefined) : remove()),
      working: () => undefined,
    },
  );
  return msg;
}

/** A pull that failed after receiving `naked` messages, which it nak'd. */
class PullFailed extends Error {
  override readonly name = 'PullFailed';
  constructor(readonly naked: number) {
    super('pull failed');
  }
}

export function runPullLoop(o: PullLoopOptions): Subscription {
  const log = (o.logger ?? silentLogger).child({ consumer: o.durable });
  const m = consumerMetrics(o.metrics, o.label);
  const batchSize = o.batchSize ?? 100;
  const expires = Math.max(1000, o.expiresMs ?? 1000);
  const progressMs = o.ackProgressMs ?? 5000;
  let stopping = false;
  let current: { stop(): void } | null = null;
  let wake: (() => void) | null = null;
  const sweep = o.sweep?.sweep ?? null;
  const sweepMs = o.sweep?.everyMs ?? 0;
  let nextSweep = Date.now() + sweepMs;

  async function handle(batch: TrackedMessage[]): Promise<void> {
    if (batch.length === 0) return;
    const redelivered = batch.filter((x) => x.deliveryCount > 1).length;
    if (redelivered > 0) m.redelivered(redelivered);
    const timer = setInterval(() => {
      for (const x of batch) x.working();
    }, progressMs);
    const t0 = performance.now();
    let err: unknown;
    try {
      await o.handle(batch);
    } catch (e) {
      err = e ?? new Error('handler threw a nullish value');
    } finally {
      clearInterval(timer);
    }
    m.observe((performance.now() - t0) / 1000);
    settle(batch, err, m, log);
  }

  /** Handles what the stream holds that no delivery will bring (stranded-sweep.ts); failures wait for the next. */
  async function sweepStranded(): Promise<void> {
    nextSweep = Date.now() + sweepMs;
    if (!sweep) return;
    let found: StrandedMessage[];
    try {
      found = await sweep.take();
    } catch (err) {
      log.debug('stranded-message sweep failed; trying again at the next', { err });
      return;
    }
    if (found.length === 0) return;
    m.stranded(found.length);
    log.warn('stored messages the server will not deliver are handled now', {
      count: found.length,
      seqs: found.map((x) => x.seq).slice(0, 20),
    });
    await handle(found.map((x) => wrapStranded(x, o.stream, sweep, log, o.keepBeforeTerm)));
  }

  /** Nak what a failed pull had received: it is not handled. */
  function nakUnhandled(msgs: readonly TrackedMessage[]): number {
    const unhandled = msgs.filter((x) => !x.settled);
    for (const x of unhandled) {
      try {
        x.nak();
      } catch {
        // connection closed: the server redelivers after ack_wait, nothing else to do
      }
    }
    if (unhandled.length > 0) m.settled('nak', unhandled.length);
    return unhandled.length;
  }

  /**
   * One pull, to its end: in batch mode the messages it delivered (kept alive with working() while they wait
   * for the handler, when prefetched); in each mode they are handled as they arrive. A failed pull naks what
   * it had received and throws.
   */
  async function pull(consumer: Consumer): Promise<{ msgs: TrackedMessage[]; keepAlive: () => void }> {
    const msgs: TrackedMessage[] = [];
    try {
      const iter = await consumer.fetch({ max_messages: batchSize, expires });
      current = iter;
      if (stopping) iter.stop();
      for await (const raw of iter) {
        sweep?.saw(raw.info.streamSequence);
        const msg = wrapJsMsg(raw, o.termWithReason, o.keepBeforeTerm);
        if (o.mode === 'each') await handle([msg]);
        else msgs.push(msg);
      }
    } catch (err) {
      throw Object.assign(new PullFailed(nakUnhandled(msgs)), { cause: err });
    } finally {
      current = null;
    }
    const timer =
      o.prefetch && msgs.length > 0 ? setInterval(() => msgs.forEach((x) => x.working()), progressMs) : null;
    return { msgs, keepAlive: () => (timer ? clearInterval(timer) : undefined) };
  }

  async function loop(): Promise<void> {
    let consumer: Consumer | null = null;
    let next: ReturnType<typeof pull> | null = null;
    while (!stopping) {
      try {
        consumer ??= await o.js.consumers.get(o.stream, o.durable);
        const got = await (next ?? pull(consumer));
        next = null;
        got.keepAlive();
        if (o.prefetch && o.mode === 'batch' && !stopping) {
          next = pull(consumer);
          next.catch(() => undefined); // awaited on the next turn; not an unhandled rejection meanwhile
        }
        await handle(got.msgs);
        if (Date.now() >= nextSweep && !stopping) await sweepStranded();
      } catch (err) {
        next = null;
        if (stopping) break;
        consumer = null;
        sweep?.disturbed();
        const failed = err instanceof PullFailed ? err : null;
        log.warn('pull failed; recreating the consumer', {
          err: failed ? failed.cause : err,
          nakedUnhandled: failed?.naked ?? 0,
        });
        const woken = new AbortController();
        wake = () => woken.abort();
        await sleep(1000, woken.signal);
        wake = null;
      }
    }
    // A batch pulled ahead is handled like any other the loop received before it stopped (stop() ended its
    // pull). Nak'ing it instead would hand some of it back to the pull request the server may still hold
    // open until it expires, where it would wait out ack_wait.
    if (next) {
      const left = await next.catch(() => null);
      if (left) {
        left.keepAlive();
        await handle(left.msgs);
      }
    }
    // Acks are fire-and-forget; make sure they left before we report being done.
    await o.nc.flush().catch(() => undefined);
  }

  const done = loop().catch((err: unknown) => log.error('consumer loop crashed', { err }));
  return {
    done,
    async stop() {
      stopping = true;
      current?.stop();
      wake?.();
      await done;
    },
  };
}
