/**
 * The analyzer service: CCTAP_EVENTS (durable `analyzer`) -> engine -> CCTAP_DERIVED.
 *
 * Per pulled batch of messages, under one lock shared with the clock tick:
 *   1. publish what an earlier failed attempt left in the outbox;
 *   2. apply every message's events (the engine skips sessions that already applied that stream sequence);
 *   3. publish the derived events (`Nats-Msg-Id` = their deterministic id + content hash, so the same
 *      conclusion is stored once while an update — an orphan later answered — is not swallowed);
 *   4. save the sessions the batch changed to the state store;
 *   5. return, and the loop acks the batch.
 * A failure in 3 or 4 throws RetryableError: the batch is redelivered, its events are skipped (already
 * applied), the outbox and the unsaved delta are retried. A crash anywhere leaves snapshot + unacked
 * messages = the whole input, and re-emits only derived events with the ids it had already used.
 * A message that is not a batch at all is terminated (dead-lettered with the reason) and counted.
 */
import {
  analyzerMsgId,
  decodeTrustedBatch,
  encodeDerived,
  topology as makeTopology,
  type DerivedEvent,
  type Topology,
} from '@cctap/events';
import type { PriceBook } from '@cctap/prices';
import {
  RetryableError,
  SerialQueue,
  silentLogger,
  StartGate,
  systemClock,
  type Bus,
  type Clock,
  type BusMessage,
  type Logger,
  type Metrics,
  type Service,
  type Subscription,
} from '@cctap/kit';
import { resolveConfig, type AnalyzerConfigInput } from '../config.js';
import { AnalyzerEngine, type SnapshotDelta } from '../core/engine.js';
import { businessMetrics, type BusinessMetrics } from './business-metrics.js';
import { MemoryStateStore, mergeDeltas, type AnalyzerStateStore } from './state-store.js';

/** Derived events published at once (bounded so a huge backlog does not open thousands of requests). */
const PUBLISH_CHUNK = 256;

export interface AnalyzerOptions {
  bus: Bus;
  clock?: Clock;
  config?: AnalyzerConfigInput;
  store?: AnalyzerStateStore;
  topology?: Topology;
  logger?: Logger;
  metrics?: Metrics;
  /** Messages per pull. */
  batchSize?: number;
  /** Run the clock tick on a timer (default true; tests drive `tick()` themselves). */
  autoTick?: boolean;
  /** The price book costs are computed with, loaded once at start (default: the shipped book). */
  prices?: PriceBook;
}

export interface AnalyzerService extends Service {
  /** Runs timeouts and periodic summaries now (what the timer does every tickMs); see AnalyzerEngine.tick. */
  tick(opts?: { settled?: boolean }): Promise<void>;
  readonly engine: AnalyzerEngine;
}

export function createAnalyzer(o: AnalyzerOptions): AnalyzerService {
  const config = resolveConfig(o.config);
  const clock = o.clock ?? systemClock;
  const t = o.topology ?? makeTopology();
  const log = (o.logger ?? silentLogger).child({ component: 'analyzer' });
  const store: AnalyzerStateStore = o.store ?? new MemoryStateStore();
  const bm: BusinessMetrics | null = o.metrics ? businessMetrics(o.metrics, config) : null;
  const engine = new AnalyzerEngine(config, clock, bm?.observer ?? {}, o.prices);
  let outbox: DerivedEvent[] = [];
  let unsaved: SnapshotDelta | null = null;
  let sub: Subscription | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let state: 'new' | 'running' | 'stopped' = 'new';
  const gate = new StartGate();
  let lastError: string | null = null;
  /** Serializes message handling and ticks: the engine is not re-entrant across awaits. */
  const lock = new SerialQueue();

  /**
   * Publishes the outbox in concurrent chunks: waiting for each acknowledgement in turn would make one batch
   * of events cost one downstream round trip per derived event (in process, one sink insert each). Publishes
   * issued together still reach the stream in issue order, and a retried one is dropped by its message id,
   * so a chunk that fails partly is simply kept whole for the retry.
   */
  async function flush(): Promise<void> {
    while (outbox.length > 0) {
      const chunk = outbox.slice(0, PUBLISH_CHUNK);
      const results = await Promise.allSettled(
        chunk.map((d) => {
          const body = encodeDerived(d);
          return o.bus.publish(t.subjects.derived(d.kind, d.host), body, { msgId: analyzerMsgId(d.id, body) });
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed)
        throw new RetryableError(`publishing derived events failed (${outbox.length} waiting)`, {
          cause: failed.reason,
        });
      outbox = outbox.slice(chunk.length);
      for (const d of chunk) bm?.published(d.kind);
    }
    if (store.keepsNothing) engine.dropSnapshotDelta();
    else {
      unsaved = mergeDeltas(unsaved, engine.takeSnapshotDelta());
      try {
        await store.save(unsaved);
        unsaved = null;
      } catch (err) {
        throw new RetryableError('saving analyzer state failed', { cause: err });
      }
    }
    bm?.activeSessions(engine.stats().active);
  }

  function emit(derived: DerivedEvent[]): void {
    if (derived.length === 0) return;
    bm?.derived(derived);
    outbox = outbox.concat(derived);
  }

  async function handle(msgs: readonly BusMessage[]): Promise<void> {
    await lock.run(async () => {
      await flush();
      for (const msg of msgs) {
        let events;
        try {
          events = decodeTrustedBatch(msg.data).events;
          if (!Array.isArray(events)) throw new Error('events is not an array');
        } catch (err) {
          bm?.skipped('undecodable_message');
          log.warn('skipping a message that is not a batch', { seq: msg.seq, subject: msg.subject, err });
          msg.term(`not a batch: ${(err as Error).message}`);
          continue;
        }
        try {
          emit(engine.ingest(events, msg.seq));
        } catch (err) {
          // A batch that passed the validator but breaks the engine: keep going, say so, lose nothing else.
          bm?.skipped('engine_error');
          log.error('event batch could not be analyzed', { seq: msg.seq, err });
          msg.term(`analyzer failed: ${(err as Error).message}`);
        }
      }
      await flush();
    });
  }

  async function tick(opts: { settled?: boolean } = {}): Promise<void> {
    await lock.run(async () => {
      emit(engine.tick(opts));
      await flush();
    });
  }

  return {
    name: 'analyzer',
    engine,
    tick,
    start() {
      // A stop during the restore waits for it (kit's StartGate): the consumer and timer started after it stop too.
      return gate.run(async () => {
        const saved = await store.load();
        engine.restore(saved.sessions, saved.baselines);
        log.info('state restored', { sessions: saved.sessions.length, baselines: saved.baselines.length });
        sub = o.bus.consumeBatch('analyzer', handle, { batchSize: o.batchSize ?? 100 });
        if (o.autoTick !== false && config.tickMs > 0) {
          timer = setInterval(() => {
            tick().then(
              () => (lastError = null),
              (err: unknown) => {
                lastError = (err as Error).message;
                log.warn('tick failed; retrying on the next one', { err });
              },
            );
          }, config.tickMs);
          timer.unref();
        }
        state = 'running';
      });
    },
    async stop(reason: string) {
      await gate.settled();
      log.info('stopping', { reason });
      if (timer) clearInterval(timer);
      timer = null;
      await sub?.stop();
      sub = null;
      // Sessions changed since their last summary are summarized before the stop: the store then shows the
      // analysis of everything read (the in-process state does not outlive the process).
      await lock
        .run(async () => {
          emit(engine.summarizeChanged());
          await flush();
        })
        .catch((err: unknown) => log.warn('final flush failed; redelivery will cover it', { err }));
      state = 'stopped';
    },
    health() {
      const s = engine.stats();
      return {
        ready: state === 'running',
        details: { ...s, outbox: outbox.length, unsaved: unsaved !== null, lastError },
      };
    },
  };
}
