/**
 * Publishes cut batches through the in-flight window and retries each until JetStream acknowledges it.
 * Every batch is registered with its file's AckFrontier before it leaves; when its PubAck moves the
 * frontier, `onFrontier` writes the checkpoint (the only place a checkpoint advances).
 *
 * The payload published is the one the BatchCutter encoded: nothing here serializes again.
 */
import { backoffDelay, isMessageRefused, sleep, type BackoffPolicy, type Bus, type Logger } from '@cctap/kit';
import type { CollectorMetrics } from '../metrics.js';
import type { AckFrontier, Frontier } from './ack-frontier.js';
import type { CutBatch } from './batch-cutter.js';
import { InFlightWindow } from './in-flight-window.js';

/** The file a batch belongs to, as far as publishing needs it. */
export interface PublishSource {
  readonly path: string;
  readonly fileId: string;
  readonly frontier: AckFrontier;
}

export interface PublisherOptions<S extends PublishSource> {
  bus: Pick<Bus, 'publish'>;
  subject: string;
  maxInFlight: number;
  maxInFlightBytes: number;
  /** Retries stop this long after stop() began; the batch is re-sent after a restart. */
  stopTimeoutMs: number;
  isStopping: () => boolean;
  /** The frontier of `source` moved: persist it. */
  onFrontier: (source: S, frontier: Frontier) => void;
  /** JetStream acknowledged `b` (called before the frontier moves, so before its checkpoint is written). */
  onDelivered?: (source: S, b: CutBatch) => void;
  /** A batch of `source` is done (acked or given up): the file may be forgotten, idle waiters woken. */
  onSettled: (source: S) => void;
  metrics: CollectorMetrics;
  logger: Logger;
}

/** Publish retries: 100 ms doubling to 2 s, so a server that is back is used within 2 s. */
const PUBLISH_RETRY: BackoffPolicy = { baseMs: 100, capMs: 2000, jitter: 'none' };

/** Errors a retry cannot fix: the message itself is refused (too large for the server or the stream). */
function isPermanentPublishError(err: unknown): boolean {
  return isMessageRefused(err);
}

export class Publisher<S extends PublishSource> {
  private readonly window: InFlightWindow;
  private published = 0;

  constructor(private readonly o: PublisherOptions<S>) {
    this.window = new InFlightWindow(o.maxInFlight, o.maxInFlightBytes);
  }

  get inFlight(): number {
    return this.window.inFlight;
  }

  /** Events in acknowledged batches since start. */
  get eventsPublished(): number {
    return this.published;
  }

  /** Waits for room in the window (backpressure on the reader), then publishes without waiting for the ack. */
  async send(source: S, b: CutBatch): Promise<void> {
    if (b.events === 0) {
      // Only lines already delivered (a rewritten file read again): nothing to publish, but the range counts
      // as acknowledged in file order, so the checkpoint can move over it once what precedes it is acked.
      source.frontier.sent(b.from, b.to, b.lastTs);
      if (source.frontier.acked(b.from, b.to)) this.o.onFrontier(source, source.frontier.frontier);
      this.o.onSettled(source);
      return;
    }
    await this.window.acquire(b.payload.length);
    source.frontier.sent(b.from, b.to, b.lastTs);
    this.o.metrics.inFlight.set(this.window.inFlight);
    void this.publishUntilAcked(source, b);
  }

  /** Resolves when nothing is in flight or `deadline` (epoch ms) passed. */
  async drain(deadline: number): Promise<void> {
    while (this.window.inFlight > 0 && Date.now() < deadline) await sleep(10);
  }

  private async publishUntilAcked(source: S, b: CutBatch): Promise<void> {
    const { metrics: m, logger: log } = this.o;
    const started = performance.now();
    let attempt = 0;
    try {
      while (true) {
        try {
          const ack = await this.o.bus.publish(this.o.subject, b.payload, { msgId: b.msgId });
          m.batches.inc({ result: ack.duplicate ? 'duplicate' : 'stored' });
          m.events.inc(b.events);
          this.published += b.events;
          break;
        } catch (err) {
          if (isPermanentPublishError(err)) {
            // Cannot ever succeed; counted and logged with its range so it can be found, then passed over.
            m.errors.inc({ kind: 'publish_rejected' });
            log.error('batch refused by the server; skipped', {
              path: source.path,
              fileId: source.fileId,
              from: b.from,
              to: b.to,
              bytes: b.payload.length,
              err,
            });
            break;
          }
          attempt += 1;
          m.publishRetries.inc();
          if (attempt === 1 || attempt % 20 === 0)
            log.warn('publish failed; retrying (reading paused while the window is full)', {
              attempt,
              err: (err as Error).message,
            });
          if (this.o.isStopping() && performance.now() - started > this.o.stopTimeoutMs) return;
          await sleep(backoffDelay(attempt, PUBLISH_RETRY));
        }
      }
      m.publishSeconds.observe((performance.now() - started) / 1000);
      this.o.onDelivered?.(source, b);
      if (source.frontier.acked(b.from, b.to)) this.o.onFrontier(source, source.frontier.frontier);
    } finally {
      this.window.release(b.payload.length);
      m.inFlight.set(this.window.inFlight);
      this.o.onSettled(source);
    }
  }
}
