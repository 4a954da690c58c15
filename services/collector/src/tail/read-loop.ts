/**
 * The read loop of one identified file: reads [readPos, size) in large chunks, hands the bytes to the
 * file's TranscriptStream, and feeds the complete lines to its BatchCutter; each batch is sent as soon as
 * it closes, so the in-flight window paces the reading (backpressure on exactly this reader).
 *
 * Each read starts at the identity's tail, the bytes just before readPos, and uses nothing when they
 * changed: the file was rewritten in place between two reads, or between the look that saw it grow and
 * this read, and the bytes at readPos are no longer the ones that followed what was read. The loop then
 * reports false and the tailer starts a new identity from byte 0.
 *
 * Lines already delivered (skip set) still go through the cutter without events: their bytes must move the
 * checkpoint in file order. Lines without a timestamp of their own keep the time of their first read
 * (pinTime), so a re-read cannot file them under another day of the store's (host, toDate(ts), id) key.
 */
import type { CctapEvent } from '@cctap/events';
import type { Logger } from '@cctap/kit';
import type { DeliveredLines } from '../delivered/delivered-lines.js';
import { lineKeyHash } from '../delivered/line-key-set.js';
import type { CollectorMetrics } from '../metrics.js';
import type { BackfillProgress } from '../progress/backfill-progress.js';
import type { CutBatch } from '../publish/batch-cutter.js';
import type { Publisher } from '../publish/publisher.js';
import { nextTail, TAIL_BYTES } from './file-identity.js';
import type { StreamsInFlight } from './streams-in-flight.js';
import type { Identity, Tracked } from './tracked-file.js';

/** Pinned line times kept in memory per identity (lines without a timestamp: metadata, nearly all). */
const MAX_PINS = 100_000;

/** A fair share of reading per visit, in chunks, so one huge file does not starve live ones; the rest is re-queued. */
const CHUNKS_PER_VISIT = 16;

export interface ReadLoopDeps {
  readChunkBytes: number;
  /** Aborted when the collector stops: no new chunk is read, except to finish a removed file. */
  stopping: AbortSignal;
  delivered: DeliveredLines;
  publisher: Publisher<Identity>;
  streams: StreamsInFlight;
  progress: BackfillProgress;
  metrics: CollectorMetrics;
  logger: Logger;
}

export class ReadLoop {
  constructor(private readonly d: ReadLoopDeps) {}

  /**
   * Reads `t` up to `size` (all of it when `finishing`, else a fair share). False when the bytes before
   * readPos changed under the read (see the header): nothing of that chunk was used.
   */
  async read(t: Tracked, size: number, finishing: boolean): Promise<boolean> {
    const id = t.id!;
    const fh = t.fh!;
    const { readChunkBytes, stopping, metrics: m, progress } = this.d;
    const chunk = Buffer.allocUnsafe(TAIL_BYTES + Math.min(readChunkBytes, Math.max(1, size - t.readPos)));
    const budget = finishing ? Number.POSITIVE_INFINITY : CHUNKS_PER_VISIT * readChunkBytes;
    let done = 0;
    let intact = true;
    while (t.readPos < size && done < budget && (finishing || !stopping.aborted)) {
      const before = id.tail.length;
      const want = Math.min(chunk.length - before, size - t.readPos);
      const { bytesRead } = await fh.read(chunk, 0, before + want, t.readPos - before);
      if (bytesRead < before || !id.tail.equals(chunk.subarray(0, before))) {
        intact = false;
        break;
      }
      const n = bytesRead - before;
      if (n === 0) break;
      t.readPos += n;
      done += n;
      m.bytesRead.inc(n);
      progress.read(t.key, n);
      // The stream copies the incomplete tail it keeps (with Uint8Array#slice: handing it a Buffer would
      // make that a view, because Buffer#slice does not copy), so the chunk buffer can be reused.
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset + before, n);
      id.tail = nextTail(id.tail, bytes);
      const results = id.stream.push(bytes);
      const pinned: Array<[bigint, number]> = [];
      for (const r of results) {
        let line = r;
        const h = lineKeyHash(r.key);
        if (id.skip.has(h)) {
          // Delivered before (or, for a content-keyed line, earlier in this file): its range still moves the checkpoint.
          line = { ...r, events: [] };
          m.lines.inc({ outcome: 'already_delivered' });
        } else {
          if (!r.key.startsWith('u:')) id.skip.add(h);
          pinTime(id, h, r.events, pinned);
          m.lines.inc({ outcome: r.malformed ? 'malformed' : r.warnings.length > 0 ? 'warning' : 'ok' });
        }
        const batches = id.cutter.add(line);
        if (batches.length > 0) this.flushPins(id, pinned);
        for (const b of batches) await this.send(id, b);
      }
      this.flushPins(id, pinned);
      progress.maybeEmit(false);
    }
    id.size = Math.max(id.size, size);
    t.lastSize = Math.max(t.lastSize, t.readPos);
    return intact;
  }

  /** Sends the last, partial batch of `id` (caught up, or finished). */
  async flush(id: Identity): Promise<void> {
    const last = id.cutter.flush();
    if (last) await this.send(id, last);
  }

  /** Waits for room in the in-flight window; the stream counts as busy until the publisher settles the batch. */
  send(id: Identity, b: CutBatch): Promise<void> {
    this.d.streams.busy(id.lineStream);
    return this.d.publisher.send(id, b);
  }

  /** Pins are on disk before any batch holding their lines is published. */
  private flushPins(id: Identity, pinned: Array<[bigint, number]>): void {
    if (pinned.length === 0) return;
    try {
      this.d.delivered.pin(id.lineStream, pinned);
    } catch (err) {
      this.d.metrics.errors.inc({ kind: 'delivered_record' });
      this.d.logger.warn('could not record line times', { path: id.path, err });
    }
    pinned.length = 0;
  }
}

/**
 * A line without a timestamp of its own (nearly always a content-keyed metadata line): the first read pins
 * the time it was given, every later read (after a rewrite moved it) gives it that time again
 * (delivered-lines.ts, "Pins").
 */
function pinTime(id: Identity, h: bigint, events: CctapEvent[], pinned: Array<[bigint, number]>): void {
  const first = events[0];
  if (!first || first.tsSource === 'line') return;
  const ms = id.pins.get(h);
  if (ms !== undefined) {
    const ts = new Date(ms).toISOString();
    for (const e of events) if (e.tsSource !== 'line') e.ts = ts;
  } else if (id.pins.size < MAX_PINS) {
    const at = Date.parse(first.ts);
    id.pins.set(h, at);
    pinned.push([h, at]);
  }
}
