/**
 * The sink service: durable consumers sink-events, sink-invalid, sink-derived and sink-alerts -> ClickHouse.
 *
 * Per consumer, `fetchers` fetch loops (default 2) feed one flush lane (flush-lane.ts):
 *   fetch    up to `batchSize` messages, waiting at most `flushIntervalMs` (size or time, whichever first);
 *            a loop fetches again only once the flush holding its messages is done, so memory is bounded by
 *            `fetchers` fetches per consumer
 *   map      on arrival, messages -> rows per table (while the previous flush is still inserting); a message
 *            that cannot be mapped is terminated alone (dead letters)
 *   join     at most one flush inserts at a time; the fetches that arrive meanwhile are joined into the next
 *            flush (larger inserts under load, the first fetch of a quiet period flushes at once)
 *   insert   one insert per table, with insert_deduplication_token = hash(table, message ids)
 *   retry    store unreachable: hold the messages (the loop keeps their ack timers alive) and retry the same
 *            insert with the same token, backing off up to 10 s, until it succeeds or the service stops
 *            (then nak: redelivered to the next instance). Rows rejected by ClickHouse: insert message by
 *            message to isolate the bad one, terminate it, keep the rest.
 *   ack      only after every insert of the flush returned (the handler returns; the kit's loop acks)
 * A crash anywhere before the ack means a redelivery; the tables' dedup (ReplacingMergeTree on ids, the max
 * rule on usage) makes the second copy invisible to every report.
 */
import type { ConsumerKey } from '@cctap/events';
import {
  backoffDelay,
  RetryableError,
  silentLogger,
  sleep,
  type Bus,
  type BackoffPolicy,
  type BusMessage,
  type Logger,
  type Metrics,
  type Subscription,
} from '@cctap/kit';
import { shippedBook, type PriceBook } from '@cctap/prices';
import { PriceWatch } from '../prices/price-watch.js';
import { StoreQueryError, StoreResourceError, StoreUnavailableError } from '@cctap/store';
import { insertRows } from '@cctap/store';
import type { Store } from '@cctap/store';
import { decodeMessages, type DecodedFlush, type SinkTable } from './decode-messages.js';
import { FlushLane } from './flush-lane.js';
import { sinkMetrics } from './sink-metrics.js';
import { testFaultFromEnv } from './test-fault.js';

export const SINK_CONSUMERS = [
  'sink-events',
  'sink-invalid',
  'sink-derived',
  'sink-alerts',
] as const satisfies readonly ConsumerKey[];
export type SinkConsumer = (typeof SINK_CONSUMERS)[number];

/** Order of inserts inside one flush: usage last, so a half-done flush never has accounting without events. */
const TABLE_ORDER: readonly SinkTable[] = ['events', 'invalid_events', 'derived', 'alerts', 'usage'];

export interface SinkOptions {
  bus: Bus;
  store: Store;
  /** Messages per fetch = per flush. Each events message is a batch of up to a few hundred events. Default 100. */
  batchSize?: number;
  /** Longest wait for a fetch to fill, ms. Default 1000. */
  flushIntervalMs?: number;
  /** Fetch loops per consumer: while one flush inserts, the others fetch and map the next. Default 2. */
  fetchers?: number;
  consumers?: readonly SinkConsumer[];
  /** Messages still to deliver, per consumer (JetStream num_pending); polled every lagIntervalMs for the lag gauge. */
  pending?: (consumer: SinkConsumer) => Promise<number>;
  lagIntervalMs?: number;
  logger?: Logger;
  metrics?: Metrics;
  /** The book the store prices usage with (synced at start and when a new model arrives); default the shipped one. */
  prices?: PriceBook;
  /** Called after the inserts of a flush returned and before its acks. A test seam for crashes at that point. */
  afterInsert?: (consumer: SinkConsumer, messages: readonly BusMessage[]) => Promise<void>;
}

export type SinkHealthDetails = {
  /** The store failed the last insert attempt and the sink is holding a flush. */
  storeUnavailable: boolean;
  lastFlushAt: string | null;
  rowsInserted: number;
  messagesDeadLettered: number;
};

/** The kit runner's Service shape: ready while the store takes inserts. */
export interface SinkService {
  readonly name: 'sink';
  start(): Promise<void>;
  stop(reason?: string): Promise<void>;
  health(): { ready: boolean; details: SinkHealthDetails };
}

/** One fetch, mapped to rows on arrival. */
interface Fetched {
  msgs: readonly BusMessage[];
  decoded: DecodedFlush;
}

/** Insert retries while the store is unavailable: one sink, so no jitter; a store that is back is used within 10 s. */
const INSERT_RETRY: BackoffPolicy = { baseMs: 250, capMs: 10_000, jitter: 'none' };

export function createSink(o: SinkOptions): SinkService {
  const log = (o.logger ?? silentLogger).child({ component: 'sink' });
  const m = sinkMetrics(o.metrics);
  const stopping = new AbortController();
  const subs: Subscription[] = [];
  let lagTimer: ReturnType<typeof setInterval> | null = null;
  const state = { storeUnavailable: false, lastFlushAt: null as string | null, rowsInserted: 0, deadLettered: 0 };
  const ackBeforeInsert = testFaultFromEnv() === 'ack-before-insert';
  const prices = new PriceWatch(o.store, o.prices ?? shippedBook());

  /** The usage is stored whatever happens here: a failed sync is retried with the next batch of the model. */
  async function keepPriced(models: Iterable<string> | null): Promise<void> {
    try {
      const r = models === null ? await prices.sync() : await prices.observe(models);
      if (r) log.info('prices synced', { book: r.bookVersion, models: r.models.length, unpriced: r.unpriced });
    } catch (err) {
      log.warn('price sync failed; usage is stored and will be priced at the next sync', { err });
    }
  }

  /** Inserts with the same token until it lands; throws RetryableError when stopped, StoreQueryError when rejected. */
  async function insertHeld(table: SinkTable, rows: object[], ids: readonly string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const t0 = performance.now();
      try {
        await insertRows(o.store, table, rows, ids);
        m.flushed(table, rows.length, (performance.now() - t0) / 1000);
        state.rowsInserted += rows.length;
        state.lastFlushAt = new Date().toISOString();
        if (state.storeUnavailable) log.info('store reachable again', { table });
        state.storeUnavailable = false;
        return;
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) {
          m.error(table, 'rejected');
          throw err;
        }
        m.error(table, 'unavailable');
        if (!state.storeUnavailable) {
          // Out of disk (or memory, parts, descriptors): nothing is acknowledged while this lasts, so the
          // transcripts stay the spool; freeing the resource resumes where it stopped.
          if (err instanceof StoreResourceError)
            log.warn(
              `store out of resources (${err.message.slice(0, 160)}): holding the flush and retrying; free disk or memory and it resumes`,
              { table },
            );
          else log.warn('store unavailable, holding the flush and retrying', { table, err });
        }
        state.storeUnavailable = true;
        if (stopping.signal.aborted)
          throw new RetryableError('sink stopping while the store is unavailable', { delayMs: 1000, cause: err });
        await sleep(backoffDelay(attempt, INSERT_RETRY), stopping.signal);
      }
    }
  }

  /** Maps one fetch to rows; the messages that cannot be mapped are terminated and counted here. */
  function decode(consumer: SinkConsumer, msgs: readonly BusMessage[]): DecodedFlush {
    const decoded = decodeMessages(consumer, msgs);
    if (decoded.undecodable > 0) {
      state.deadLettered += decoded.undecodable;
      m.error(consumer, 'undecodable', decoded.undecodable);
      log.warn('messages that cannot be mapped to rows were sent to the dead letters', {
        consumer,
        count: decoded.undecodable,
      });
    }
    return decoded;
  }

  /** The fetches a lane joined into one flush: their messages and rows, in arrival order. */
  function joined(parts: readonly Fetched[]): Fetched {
    if (parts.length === 1) return parts[0]!;
    const rows = new Map<SinkTable, object[]>();
    const messageIds: string[] = [];
    for (const p of parts) {
      for (const [table, list] of p.decoded.rows) {
        const into = rows.get(table);
        if (into) for (const r of list) into.push(r);
        else rows.set(table, [...list]);
      }
      for (const id of p.decoded.messageIds) messageIds.push(id);
    }
    return { msgs: parts.flatMap((p) => p.msgs), decoded: { rows, messageIds, undecodable: 0 } };
  }

  async function flush(consumer: SinkConsumer, msgs: readonly BusMessage[], mapped?: DecodedFlush): Promise<void> {
    const decoded = mapped ?? decode(consumer, msgs);
    if (ackBeforeInsert) {
      // TEST-ONLY (test-fault.ts): the deliberate at-most-once bug of the chaos suite's negative control.
      for (const msg of msgs) msg.ack();
      await sleep(20);
    }
    try {
      for (const table of TABLE_ORDER) {
        const rows = decoded.rows.get(table);
        if (rows) await insertHeld(table, rows, decoded.messageIds);
      }
      const usage = decoded.rows.get('usage') as { model: string }[] | undefined;
      if (usage) await keepPriced(usage.map((r) => r.model));
    } catch (err) {
      if (!(err instanceof StoreQueryError)) throw err;
      if (msgs.length === 1) {
        msgs[0]!.term(`rows rejected by ClickHouse: ${err.message}`.slice(0, 500));
        state.deadLettered += 1;
        log.error('message rejected by ClickHouse, sent to the dead letters', { consumer, seq: msgs[0]!.seq, err });
        return;
      }
      // Isolate the message that ClickHouse rejects; every other message of the flush still lands.
      log.warn('flush rejected by ClickHouse, retrying message by message', { consumer, count: msgs.length, err });
      for (const one of msgs) if (!one.settled) await flush(consumer, [one]);
      return;
    }
    if (o.afterInsert) await o.afterInsert(consumer, msgs);
  }

  async function pollLag(): Promise<void> {
    if (!o.pending) return;
    for (const c of o.consumers ?? SINK_CONSUMERS) {
      try {
        m.pending(c, await o.pending(c));
      } catch (err) {
        log.debug('consumer lag unavailable', { consumer: c, err });
      }
    }
  }

  return {
    name: 'sink',
    async start() {
      await keepPriced(null);
      for (const consumer of o.consumers ?? SINK_CONSUMERS) {
        const lane = new FlushLane<Fetched>((parts) => {
          const all = joined(parts);
          return flush(consumer, all.msgs, all.decoded);
        });
        for (let i = 0; i < Math.max(1, o.fetchers ?? 2); i++) {
          subs.push(
            o.bus.consumeBatch(consumer, (msgs) => lane.add({ msgs, decoded: decode(consumer, msgs) }), {
              batchSize: o.batchSize ?? 100,
              expiresMs: o.flushIntervalMs ?? 1000,
            }),
          );
        }
      }
      if (o.pending) {
        void pollLag();
        lagTimer = setInterval(() => void pollLag(), o.lagIntervalMs ?? 15_000);
        lagTimer.unref();
      }
      if (ackBeforeInsert)
        log.warn(
          'TEST-ONLY fault CCTAP_TEST_FAULT=ack-before-insert is active: flushes are acked before they are inserted',
        );
      log.info('sink started', { consumers: o.consumers ?? SINK_CONSUMERS, store: o.store.location });
    },
    async stop() {
      stopping.abort();
      if (lagTimer) clearInterval(lagTimer);
      await Promise.all(subs.splice(0).map((s) => s.stop()));
      log.info('sink stopped', { rowsInserted: state.rowsInserted });
    },
    health: () => ({
      ready: !state.storeUnavailable,
      details: {
        storeUnavailable: state.storeUnavailable,
        lastFlushAt: state.lastFlushAt,
        rowsInserted: state.rowsInserted,
        messagesDeadLettered: state.deadLettered,
      },
    }),
  };
}
