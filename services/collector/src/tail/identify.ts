/**
 * Identification: what a file's Identity is and where reading it starts. Its first complete line gives its
 * fileId (file-identity.ts); its checkpoint entry (or one recorded under an older device number) and the
 * pure decisions of start-position.ts give the start; the session's delivered-line records give what not
 * to publish again. A read from byte 0 waits while the session has batches in flight (streams-in-flight.ts).
 */
import type { Stats } from 'node:fs';
import type { Logger } from '@cctap/kit';
import { TranscriptStream } from '@cctap/transcript';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import type { DeliveredLines } from '../delivered/delivered-lines.js';
import { streamOf } from '../delivered/delivered-lines.js';
import { LineKeySet } from '../delivered/line-key-set.js';
import { recordAcknowledged } from '../delivered/record-acknowledged.js';
import type { CollectorMetrics } from '../metrics.js';
import type { BackfillProgress } from '../progress/backfill-progress.js';
import { AckFrontier } from '../publish/ack-frontier.js';
import { BatchCutter } from '../publish/batch-cutter.js';
import type { ResolvedOptions } from '../service/options.js';
import { identityOf, lineStartsAt, readHead, readTail } from './file-identity.js';
import { decideStart, needsLineStartCheck, wakeFromRest, type StartDecision } from './start-position.js';
import type { StreamsInFlight } from './streams-in-flight.js';
import { spawnDepthOption } from './subagent-meta.js';
import { checkpointOf, type Tracked } from './tracked-file.js';

export type Identified =
  | { fileId: string; reason: StartDecision['reason'] }
  /** no-head: no complete first line yet (the next change looks again); stream-busy: look again shortly. */
  | { wait: 'no-head' | 'stream-busy' };

export interface IdentifierDeps {
  options: ResolvedOptions;
  store: CheckpointStore;
  delivered: DeliveredLines;
  streams: StreamsInFlight;
  progress: BackfillProgress;
  metrics: CollectorMetrics;
  logger: Logger;
}

export class Identifier {
  private readonly o: ResolvedOptions;
  private readonly m: CollectorMetrics;
  private readonly log: Logger;

  constructor(private readonly d: IdentifierDeps) {
    this.o = d.options;
    this.m = d.metrics;
    this.log = d.logger;
  }

  /**
   * Sets `t.id` and `t.readPos` (a resting `t` is woken first); nothing while the file has no complete first
   * line yet, or while a read from byte 0 would have to wait for its session's batches in flight.
   */
  async identify(t: Tracked, path: string, st: Stats): Promise<Identified> {
    const fh = t.fh!;
    const head = await readHead(fh);
    if (t.restingFileId !== null) {
      // resting ──▶ identified: the same head resumes at the checkpoint; a shorter file or another head is
      // new content in the same inode, read from byte 0 (what the head check does for an identified file).
      const was = t.restingFileId;
      const reason = wakeFromRest({
        size: st.size,
        offset: t.readPos,
        restingFileId: was,
        fileId: head ? identityOf(t.dev, t.ino, head) : null,
      });
      if (reason) {
        this.log.info(`transcript ${reason}: reading it again from byte 0 as a new file identity`, {
          path,
          fileId: was,
        });
        this.d.store.delete(was);
        t.readPos = 0;
        t.restingFileId = null;
      } else if (head) t.restingFileId = null;
    }
    if (!head) return { wait: 'no-head' };
    const fileId = identityOf(t.dev, t.ino, head);
    let cp = this.d.store.get(fileId);
    if (!cp) {
      // The same inode and head under another device number: the device was renumbered, the file is the same.
      const moved = this.d.store.findMoved(t.dev, t.ino, head);
      if (moved) {
        this.log.info('device number changed; resuming at its checkpoint', { path, from: moved.entry.dev, to: t.dev });
        this.d.store.delete(moved.fileId);
        cp = moved.entry;
      }
    }
    const checkpointAtLineStart = needsLineStartCheck(cp, st.size) ? await lineStartsAt(fh, cp!.offset) : true;
    const { start, lastTs, reason, skipped, dropCheckpoint } = decideStart({
      cp,
      size: st.size,
      mtimeMs: st.mtimeMs,
      since: this.o.since ?? null,
      checkpointAtLineStart,
    });
    if (dropCheckpoint) {
      this.log.info(
        'transcript rewritten (its checkpoint is no longer at a line start): reading it again from byte 0',
        { path, fileId },
      );
      this.d.store.delete(fileId);
      cp = undefined;
    }
    // --since: an old file is not read; if it grows later, only the new lines are.
    if (reason === 'skipped') this.m.filesSkipped.inc({ reason: 'since' });
    // What not to publish again: a read from byte 0 of a stream with delivered lines skips them all (a
    // rewrite, a relocated copy, state lost with the checkpoint but not the records); any read skips
    // metadata lines already delivered.
    const lineStream = streamOf(path);
    if (start === 0 && this.d.streams.has(lineStream)) return { wait: 'stream-busy' };
    let known = this.d.delivered.known(lineStream);
    if (start > 0 && !skipped && !known) {
      const n = await recordAcknowledged(fh, start, this.d.delivered, lineStream);
      this.log.info('recorded the acknowledged lines of a session without records', { path, lines: n });
      known = n > 0;
    }
    const skip = known
      ? this.d.delivered.load(lineStream, start === 0 && !skipped ? ['lines', 'meta'] : ['meta'])
      : new LineKeySet();
    const pins = known ? this.d.delivered.loadPins(lineStream) : new Map<bigint, number>();
    if (known && start === 0)
      this.log.info('known session read from byte 0: lines already delivered are not published again', {
        path,
        delivered: skip.size,
      });
    const frontier = new AckFrontier({ offset: start, lastTs });
    const stream = new TranscriptStream({
      host: this.o.host,
      user: this.o.user,
      path,
      fileId,
      privacy: this.o.privacy,
      ...(this.o.stringCap !== undefined ? { stringCap: this.o.stringCap } : {}),
      ...(this.o.labels ? { labels: this.o.labels } : {}),
      ...spawnDepthOption(path),
      startOffset: start,
      lastTs,
      fileTs: new Date(st.mtimeMs).toISOString(),
    });
    const cutter = new BatchCutter({
      host: this.o.host,
      path,
      fileId,
      from: start,
      lastTs,
      maxLines: this.o.batchLines,
      maxBytes: this.o.batchBytes,
    });
    t.id = {
      key: t.key,
      dev: t.dev,
      ino: t.ino,
      fileId,
      head,
      path,
      stream,
      cutter,
      frontier,
      size: st.size,
      lineStream,
      skip,
      pins,
      tail: Buffer.alloc(0),
      finished: false,
      deleted: false,
      skipped,
    };
    t.readPos = start;
    if (start > 0) t.id.tail = await readTail(fh, start);
    if (!cp || skipped || cp.dev !== t.dev) this.d.store.set(fileId, checkpointOf(t.id, start, lastTs));
    this.m.identities.inc({ reason });
    // A --since file starts at its end: nothing of it is read in the backfill, whatever the listing estimated.
    this.d.progress.track(t.key, st.size - start);
    return { fileId, reason };
  }
}
