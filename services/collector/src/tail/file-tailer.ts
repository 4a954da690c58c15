/**
 * The file tailer: turns "this path may have changed" into reads, batches and checkpoints.
 *
 * Life of one file (state machine, per inode seen at a path):
 *
 *   discovered ──(head known: a newline, or HEAD_BYTES bytes)──▶ identified ──▶ reading ⇄ caught-up
 *     │  │ (no complete line yet: wait; the next hint or sweep retries)                  │
 *     │  │                                                                                ├─ size < read offset, or the
 *     │  │                                                                                │  head bytes changed ──▶ new identity from byte 0
 *     │  │                                                                                ├─ path now names another inode ──▶ finish old (read
 *     │  │                                                                                │  to its end through the open fd), new identity at 0
 *     │  └─ permission denied: counted, retried at every full sweep                       └─ path gone ──▶ finish through the fd, forget
 *     │                                                                                   │
 *     │                                                         cold, closed, everything acknowledged (a sweep; shutdown)
 *     │                                                                                   ▼
 *     └─ at start: its checkpoint has the same dev, inode, size (= offset) and mtime ──▶ resting
 *                                                                                         │ grew, shrank or was replaced
 *                                                                                         ▼
 *                         identified again from its head: the same head resumes at the checkpoint; another head,
 *                         or a size below the checkpoint, is a new identity from byte 0 (old checkpoint dropped)
 *
 * Resting is what keeps a 10k-file tree cheap: a resting file costs a Tracked record and its checkpoint entry,
 * no TranscriptStream, BatchCutter or AckFrontier, and a restart does not open it at all. A resting file
 * whose mtime moves is opened and its head checked even when its size did not (an in-place rewrite to the
 * same size). What adoption at start trusts is that content never changes without its size or mtime moving.
 * A resting file whose name disappears keeps its checkpoint entry until the next start prunes entries of
 * inodes no longer listed: it has no open descriptor to tell a delete (forget) from a rename (resume).
 *
 * Rewritten transcripts (transcript-format-2026.md section 1.2). Claude Code rewrites files it wrote: a
 * tombstone removed in place (same inode, truncated at a line start, the rest written back), compaction (a
 * temp file renamed over the transcript: new inode), `/cd` (rename into another project folder, or copy +
 * delete), metadata lines appended again. Each of these ends in a read from byte 0 (or, for a rename, no
 * re-read at all), and a line's events have the same ids wherever it sits (lineEventId). What keeps the
 * re-read from publishing lines a second time is the record of delivered lines per session stream
 * (delivered/delivered-lines.ts), appended as batches are acknowledged: an identity that starts at byte 0
 * for a stream with records loads them and publishes none of those lines (their bytes still move the
 * checkpoint). Content-keyed lines (metadata) are also skipped when already read in this identity or
 * delivered before a restart, so a metadata line appended again is published once.
 *   Detection: size below the read position (truncated); the head changed (rewritten); the TAIL_BYTES
 * before the read position changed (rewritten in place, then grown back past where we were: checked by the
 * same read that takes the bytes after them, so a rewrite between a look and its read is caught), or, for a file
 * identified again from its checkpoint, the checkpoint is no longer at a line start; the path names
 * another inode (compaction); an identified file written without growing (same size, mtime moved) is read
 * again from byte 0, a resting one has its head checked. A device number that changed under the same
 * inode and head (LUKS, btrfs subvolumes, Docker for Mac) resumes at the old checkpoint (findMoved).
 *   Lines without a timestamp of their own keep the time of their first read (pinTime), so a re-read cannot
 * file them under another day of the store's (host, toDate(ts), id) key.
 *
 * Checkpoint rule: a file's checkpoint moves to the end of the longest prefix of its batches that are all
 * acknowledged (AckFrontier, advanced by the Publisher). A restart re-reads from there: acknowledged data
 * is never re-sent and unacknowledged data never skipped.
 */
import type { Stats } from 'node:fs';
import { statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { CctapEvent } from '@cctap/events';
import type { Logger } from '@cctap/kit';
import { TranscriptStream } from '@cctap/transcript';
import type { CheckpointEntry, CheckpointStore } from '../checkpoint/checkpoint-store.js';
import type { CollectorMetrics } from '../metrics.js';
import type { BackfillProgress } from '../progress/backfill-progress.js';
import { AckFrontier, type Frontier } from '../publish/ack-frontier.js';
import { BatchCutter, type CutBatch } from '../publish/batch-cutter.js';
import type { Publisher } from '../publish/publisher.js';
import type { ResolvedOptions } from '../service/options.js';
import type { DeliveredLines } from '../delivered/delivered-lines.js';
import { streamOf } from '../delivered/delivered-lines.js';
import { LineKeySet, lineKeyHash } from '../delivered/line-key-set.js';
import { recordAcknowledged } from '../delivered/record-acknowledged.js';
import { descriptorBudget } from './descriptor-budget.js';
import { headMatches, identityOf, lineStartsAt, nextTail, readHead, readTail, TAIL_BYTES } from './file-identity.js';
import { decideStart, needsLineStartCheck } from './start-position.js';
import { checkpointOf, type Identity, type Tracked } from './tracked-file.js';
import { spawnDepthOption } from './subagent-meta.js';

export interface TailerEvents {
  file: [FileSeen];
}

export interface FileSeen {
  path: string;
  fileId: string;
  reason: string;
}

export interface TailerDeps {
  options: ResolvedOptions;
  store: CheckpointStore;
  delivered: DeliveredLines;
  publisher: Publisher<Identity>;
  progress: BackfillProgress;
  /** A file identity was established (new, resumed, skipped). */
  onFile: (f: FileSeen) => void;
  metrics: CollectorMetrics;
  logger: Logger;
  /** Queue `path` for another look (more to read, or replaced between stat and open). */
  markDirty: (path: string) => void;
  isStopping: () => boolean;
  /** Something finished that the idle check depends on. */
  onSettled: () => void;
}

/** How soon a read from byte 0 that waits for its stream's batches in flight looks again. */
const IN_FLIGHT_RETRY_MS = 20;

/** Pinned line times kept in memory per identity (lines without a timestamp: metadata, nearly all). */
const MAX_PINS = 100_000;

const errCode = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';

export class FileTailer {
  private readonly byPath = new Map<string, Tracked>();
  private readonly byKey = new Map<string, Tracked>();
  /** Descriptors this tailer holds, and how many it may (descriptor-budget.ts). */
  private openCount = 0;
  private readonly maxOpen: number;
  /** Files the 1 s sweep stats: changed recently, open, or in an unwatched directory (see watch/change-detector.ts). */
  readonly hot = new Set<Tracked>();
  /**
   * Batches sent and not yet settled, per session stream. A read from byte 0 of a stream waits for them: its
   * delivered-line records are complete only once they are acknowledged (a file compacted or rewritten
   * right after its last lines were sent would otherwise publish those lines twice).
   */
  private readonly inFlightByStream = new Map<string, number>();
  /** Paths that failed with a permission error: retried at each full sweep. */
  readonly denied = new Set<string>();
  private readonly o: ResolvedOptions;
  private readonly m: CollectorMetrics;
  private readonly log: Logger;

  constructor(private readonly d: TailerDeps) {
    this.o = d.options;
    this.m = d.metrics;
    this.log = d.logger;
    this.maxOpen = descriptorBudget(d.options.maxOpenFiles);
  }

  get fileCount(): number {
    return this.byKey.size;
  }

  isKnown(path: string): boolean {
    return this.byPath.has(path);
  }

  tracked(): IterableIterator<Tracked> {
    return this.byKey.values();
  }

  /** A watch event named `path`: it counts as hot for the next `hotWindowMs`. */
  touched(path: string): void {
    const t = this.byPath.get(path);
    if (t) {
      t.lastChangeAt = Date.now();
      this.hot.add(t);
    }
  }

  /** Stats every path of `t`; queues those whose inode, size or mtime moved (or that vanished). */
  statAndMark(t: Tracked): void {
    for (const p of t.paths) {
      try {
        const st = statSync(p);
        if (st.ino !== t.ino || st.dev !== t.dev || st.size !== t.lastSize || st.mtimeMs !== t.lastMtimeMs)
          this.d.markDirty(p);
      } catch {
        this.d.markDirty(p);
      }
    }
  }

  /** Looks at `path` once: stat, track, detect identity changes, read what is new. */
  async service(path: string): Promise<void> {
    let st: Stats;
    try {
      st = await stat(path);
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') this.pathGone(path);
      else this.denyOrError(path, err);
      return;
    }
    if (!st.isFile()) return;
    const key = `${st.dev}:${st.ino}`;
    let t = this.byPath.get(path);
    if (t && t.key !== key) {
      // The name now points at another inode (rotate-create, or delete + create): finish the old one.
      this.detachPath(t, path, false);
      t = undefined;
    }
    if (!t) {
      t = this.byKey.get(key);
      if (t) t.paths.push(path);
      else {
        t = {
          key,
          dev: st.dev,
          ino: st.ino,
          paths: [path],
          fh: null,
          readPos: 0,
          id: null,
          restingFileId: null,
          lastSize: -1,
          lastMtimeMs: -1,
          lastChangeAt: st.mtimeMs,
          lastUsedAt: Date.now(),
        };
        this.byKey.set(key, t);
        this.m.filesWatched.set(this.byKey.size);
      }
      this.byPath.set(path, t);
    }
    const unchanged = st.size === t.lastSize && st.mtimeMs === t.lastMtimeMs;
    if (t.lastSize >= 0 && !unchanged) t.lastChangeAt = Date.now();
    if (Date.now() - t.lastChangeAt <= this.o.hotWindowMs) this.hot.add(t);
    t.lastSize = st.size;
    t.lastMtimeMs = st.mtimeMs;
    if (t.id && !t.id.finished && st.size === t.readPos && t.fh === null && unchanged) return; // nothing new
    // Resting and untouched: no need to open it. (A touched file of the same size gets its head checked.)
    if (t.restingFileId !== null && st.size === t.readPos && unchanged) return;
    await this.readFile(t, path, st, unchanged);
  }

  /**
   * Start-up, for a listed file whose inode has exactly one checkpoint entry: tracked as resting on that
   * entry without opening it. True when the file is unchanged since everything in it was acknowledged (size
   * = checkpoint offset, same mtime): nothing to do. False: it must be looked at (queue it); its first look
   * identifies it from its head against that entry (resume, or a new identity whose old entry is dropped).
   */
  adopt(key: string, path: string, st: Stats, fileId: string, cp: CheckpointEntry): boolean {
    if (cp.dev !== st.dev || cp.ino !== st.ino || this.byPath.has(path) || this.byKey.has(key)) return false; // a second name of an inode: the look sorts it out
    const unchanged = cp.mtimeMs !== undefined && cp.mtimeMs === st.mtimeMs && cp.offset === st.size;
    // lastMtimeMs -1 when changed: service() then identifies it even if the size is still the offset.
    if (cp.path === path) cp.path = path; // the same text: keep one copy of it, not the checkpoint file's too
    const t: Tracked = {
      key,
      dev: st.dev,
      ino: st.ino,
      paths: [path],
      fh: null,
      readPos: cp.offset,
      id: null,
      restingFileId: fileId,
      lastSize: st.size,
      lastMtimeMs: unchanged ? st.mtimeMs : -1,
      lastChangeAt: st.mtimeMs,
      lastUsedAt: 0,
    };
    this.byKey.set(key, t);
    this.byPath.set(path, t);
    if (!unchanged) return false;
    if (Date.now() - st.mtimeMs <= this.o.hotWindowMs) this.hot.add(t);
    this.d.progress.track(key, 0);
    return true;
  }

  /** Nothing left to read or acknowledge: what lets a cold file close its descriptor and come to rest. */
  isSettled(t: Tracked): boolean {
    const id = t.id;
    if (!id) return true;
    return (
      !id.finished && t.readPos >= t.lastSize && id.frontier.inFlight === 0 && id.frontier.frontier.offset === t.readPos
    );
  }

  /**
   * caught-up ──▶ resting: drops the Identity (and closes the descriptor) of a file that is read to its end
   * and fully acknowledged, after a stat confirms the file is still exactly that long; the checkpoint
   * records the mtime of that stat so a restart can adopt the file unopened. False when it is not there yet
   * (a batch in flight, a partial last line, unsent lines, or it changed again).
   */
  rest(t: Tracked): boolean {
    const id = t.id;
    if (!id || !this.isSettled(t)) return false;
    let st: Stats | undefined;
    try {
      st = statSync(id.path, { throwIfNoEntry: false });
    } catch {
      return false; // unreadable now: the next look counts it
    }
    if (!st || st.ino !== t.ino || st.dev !== t.dev || st.size !== t.readPos) return false;
    this.d.store.set(id.fileId, checkpointOf(id, t.readPos, id.frontier.frontier.lastTs, st.mtimeMs));
    t.lastSize = st.size;
    t.lastMtimeMs = st.mtimeMs;
    t.restingFileId = id.fileId;
    t.id = null;
    void this.closeFh(t);
    return true;
  }

  /** At shutdown, after the last acks: every caught-up file comes to rest, so the next start can adopt it. */
  restAll(): void {
    for (const t of this.byKey.values()) this.rest(t);
  }

  /** Files with an Identity in memory (the rest are resting). */
  get identifiedCount(): number {
    let n = 0;
    for (const t of this.byKey.values()) if (t.id) n += 1;
    return n;
  }

  // ───────────── publisher callbacks ─────────────

  /** JetStream has the batch: its lines are recorded before any checkpoint can move past them. */
  onDelivered(id: Identity, b: CutBatch): void {
    try {
      this.d.delivered.record(id.lineStream, b.lineKeys);
    } catch (err) {
      // Not fatal: without the record a later rewrite re-publishes these lines (same ids; the store keeps one).
      this.m.errors.inc({ kind: 'delivered_record' });
      this.log.warn('could not record delivered lines', { path: id.path, err });
    }
  }

  /** The acknowledged frontier of `id` moved: persist it (unless the file is deleted and forgotten). */
  onFrontier(id: Identity, f: Frontier): void {
    if (!(id.finished && id.deleted)) this.d.store.set(id.fileId, checkpointOf(id, f.offset, f.lastTs));
  }

  onSettled(id: Identity): void {
    this.streamIdle(id.lineStream);
    this.maybeForget(id);
    this.d.onSettled();
  }

  // ───────────── housekeeping ─────────────

  /** Keeps the number of open descriptors bounded: closes the least recently used caught-up files. */
  closeIdleFiles(): void {
    const idle = this.idleOpenFiles();
    void this.closeLeastRecentlyUsed(idle, idle.length - this.maxOpen);
  }

  async closeAll(): Promise<void> {
    for (const t of this.byKey.values()) await this.closeFh(t);
  }

  /** Bytes on disk not yet acknowledged, summed over `files` (all by default). */
  lagBytes(files: Iterable<Tracked> = this.byKey.values()): number {
    let lag = 0;
    for (const t of files)
      if (t.id) lag += Math.max(0, Math.max(t.lastSize, t.id.size) - t.id.frontier.frontier.offset);
    return lag;
  }

  // ───────────── the state machine ─────────────

  private denyOrError(path: string, err: unknown): void {
    const code = errCode(err);
    const permission = code === 'EACCES' || code === 'EPERM';
    this.m.errors.inc({ kind: permission ? 'permission' : 'read' });
    if (!this.denied.has(path))
      this.log.warn(
        permission
          ? 'permission denied (retried at every full sweep)'
          : 'cannot read transcript (retried at every full sweep)',
        { path, code },
      );
    this.denied.add(path);
  }

  /** A name went away. Another name of the same inode keeps it alive; otherwise finish it through the fd. */
  private pathGone(path: string): void {
    const t = this.byPath.get(path);
    if (!t) return;
    this.detachPath(t, path, true);
  }

  private detachPath(t: Tracked, path: string, gone: boolean): void {
    this.byPath.delete(path);
    const at = t.paths.indexOf(path);
    if (at >= 0) t.paths.splice(at, 1);
    if (t.paths.length > 0) {
      if (t.id && t.id.path === path) t.id.path = t.paths[0]!;
      return;
    }
    // Finish asynchronously but in order: queue a drain of this inode through its fd.
    void this.finishTracked(t, gone);
  }

  private async finishTracked(t: Tracked, gone: boolean): Promise<void> {
    this.byKey.delete(t.key);
    this.hot.delete(t);
    this.m.filesWatched.set(this.byKey.size);
    let deleted = gone;
    // Until its last batch is cut, a replacement of the same session (compaction renames one over it) waits.
    const finishing = t.id && !t.id.finished ? t.id.lineStream : null;
    if (finishing) this.streamBusy(finishing);
    if (t.fh && t.id && !t.id.finished) {
      try {
        const st = await t.fh.stat();
        deleted = st.nlink === 0;
        await this.readFrom(t, st.size, true); // its bytes changing under the read (false) ends it there too
      } catch (err) {
        this.m.errors.inc({ kind: 'read' });
        this.log.warn('could not finish a removed transcript', { path: t.id.path, err });
      }
    }
    if (t.id) this.finishIdentity(t.id, deleted);
    if (finishing) this.streamIdle(finishing);
    // A resting file keeps its entry: without a descriptor a rename cannot be told from a delete (see header).
    await this.closeFh(t);
    this.d.onSettled();
  }

  private finishIdentity(id: Identity, deleted: boolean): void {
    if (id.finished) return;
    const last = id.cutter.flush();
    if (last) void this.send(id, last);
    id.finished = true;
    id.deleted = deleted;
    this.maybeForget(id);
  }

  private maybeForget(id: Identity): void {
    if (!id.finished || id.frontier.inFlight > 0) return;
    // Rewritten in place with its first line intact: the identity reading it now has the same fileId.
    const current = this.byKey.get(id.key)?.id;
    if (current && current !== id && current.fileId === id.fileId) return;
    if (id.deleted) this.d.store.delete(id.fileId);
  }

  private async readFile(t: Tracked, path: string, st: Stats, unchanged: boolean): Promise<void> {
    if (!t.fh) {
      if (this.openCount >= this.maxOpen) await this.makeRoom();
      try {
        t.fh = await open(path, 'r');
        this.openCount += 1;
      } catch (err) {
        this.denyOrError(path, err);
        return;
      }
      const fst = await t.fh.stat();
      if (fst.ino !== t.ino || fst.dev !== t.dev) {
        // Replaced between stat and open: look again.
        await this.closeFh(t);
        this.d.markDirty(path);
        return;
      }
      this.denied.delete(path);
    }
    t.lastUsedAt = Date.now();
    const size = st.size;
    if (t.id && !t.id.finished) {
      if (size < t.readPos) {
        this.newIdentityReason(t, 'truncated');
      } else if (size === t.readPos && !unchanged) {
        // Written without growing: not an append (a rewrite to the same size, or a touch). Read again from
        // byte 0, where every delivered line is skipped, rather than guess which bytes changed.
        this.newIdentityReason(t, 'rewritten');
      } else if (size > t.readPos && !(await headMatches(t.fh, t.id.head))) {
        this.newIdentityReason(t, 'rewritten');
      }
    }
    if (!t.id || t.id.finished) {
      if (!(await this.identify(t, path, st))) return;
      this.hot.add(t); // open now; the sweep drops it again once it is closed and cold
    }
    if (!(await this.readFrom(t, size, false))) {
      this.newIdentityReason(t, 'rewritten');
      this.d.markDirty(path);
      return;
    }
    if (t.readPos < t.lastSize || (await t.fh.stat()).size > t.readPos) this.d.markDirty(path);
    else {
      const last = t.id!.cutter.flush();
      if (last) await this.send(t.id!, last);
      if (Date.now() - st.mtimeMs > this.o.hotWindowMs) await this.closeFh(t);
    }
  }

  private newIdentityReason(t: Tracked, reason: 'truncated' | 'rewritten'): void {
    const old = t.id!;
    this.log.info(`transcript ${reason}: reading it again from byte 0 as a new file identity`, {
      path: old.path,
      fileId: old.fileId,
    });
    // What was already read of the old content is published; the old identity is forgotten once acked.
    this.finishIdentity(old, true);
    // Its checkpoint goes now, not once its last batch is acked: the new content (same fileId when the first
    // line survived) is read from byte 0, not resumed at an offset into other bytes.
    this.d.store.delete(old.fileId);
    t.id = null;
    t.readPos = 0;
  }

  /**
   * Computes the identity and where to start; false while the file has no complete first line yet, or (looked
   * at again shortly) while a read from byte 0 waits for its session's batches in flight.
   */
  private async identify(t: Tracked, path: string, st: Stats): Promise<boolean> {
    const head = await readHead(t.fh!);
    if (t.restingFileId !== null) {
      // resting ──▶ identified: the same head resumes at the checkpoint; a shorter file or another head is
      // new content in the same inode, read from byte 0 (what the head check does for an identified file).
      const was = t.restingFileId;
      const reason =
        st.size < t.readPos ? 'truncated' : head && identityOf(t.dev, t.ino, head) !== was ? 'rewritten' : null;
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
    if (!head) return false;
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
    const checkpointAtLineStart = needsLineStartCheck(cp, st.size) ? await lineStartsAt(t.fh!, cp!.offset) : true;
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
    if (start === 0 && this.inFlightByStream.has(lineStream)) {
      setTimeout(() => this.d.markDirty(path), IN_FLIGHT_RETRY_MS).unref();
      return false;
    }
    let known = this.d.delivered.known(lineStream);
    if (start > 0 && !skipped && !known) {
      const n = await recordAcknowledged(t.fh!, start, this.d.delivered, lineStream);
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
    if (start > 0) t.id.tail = await readTail(t.fh!, start);
    if (!cp || skipped || cp.dev !== t.dev) this.d.store.set(fileId, checkpointOf(t.id, start, lastTs));
    this.m.identities.inc({ reason });
    // A --since file starts at its end: nothing of it is read in the backfill, whatever the listing estimated.
    this.d.progress.track(t.key, st.size - start);
    this.d.onFile({ path, fileId, reason });
    return true;
  }

  /**
   * Reads [readPos, size) in large chunks; complete lines become batches (sent as they close). Each read
   * starts at the identity's tail, the bytes just before readPos, and uses nothing when they changed: the
   * file was rewritten in place between two reads, or between the look that saw it grow and this read,
   * and the bytes at readPos are no longer the ones that followed what was read. False then.
   */
  private async readFrom(t: Tracked, size: number, finishing: boolean): Promise<boolean> {
    const id = t.id!;
    const fh = t.fh!;
    const chunk = Buffer.allocUnsafe(TAIL_BYTES + Math.min(this.o.readChunkBytes, Math.max(1, size - t.readPos)));
    // A fair share per visit so one huge file does not starve live ones; the rest is re-queued.
    const budget = finishing ? Number.POSITIVE_INFINITY : 16 * this.o.readChunkBytes;
    let done = 0;
    let intact = true;
    while (t.readPos < size && done < budget && (finishing || !this.d.isStopping())) {
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
      this.m.bytesRead.inc(n);
      this.d.progress.read(t.key, n);
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
          this.m.lines.inc({ outcome: 'already_delivered' });
        } else {
          if (!r.key.startsWith('u:')) id.skip.add(h);
          this.pinTime(id, h, r.events, pinned);
          this.m.lines.inc({ outcome: r.malformed ? 'malformed' : r.warnings.length > 0 ? 'warning' : 'ok' });
        }
        const batches = id.cutter.add(line);
        if (batches.length > 0) this.flushPins(id, pinned);
        for (const b of batches) await this.send(id, b);
      }
      this.flushPins(id, pinned);
      this.d.progress.maybeEmit(false);
    }
    id.size = Math.max(id.size, size);
    t.lastSize = Math.max(t.lastSize, t.readPos);
    return intact;
  }

  /**
   * A line without a timestamp of its own (nearly always a content-keyed metadata line): the first read pins
   * the time it was given, every later read (after a rewrite moved it) gives it that time again
   * (delivered-lines.ts, "Pins").
   */
  private pinTime(id: Identity, h: bigint, events: CctapEvent[], pinned: Array<[bigint, number]>): void {
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

  /** Pins are on disk before any batch holding their lines is published. */
  private flushPins(id: Identity, pinned: Array<[bigint, number]>): void {
    if (pinned.length === 0) return;
    try {
      this.d.delivered.pin(id.lineStream, pinned);
    } catch (err) {
      this.m.errors.inc({ kind: 'delivered_record' });
      this.log.warn('could not record line times', { path: id.path, err });
    }
    pinned.length = 0;
  }

  private send(id: Identity, b: CutBatch): Promise<void> {
    this.streamBusy(id.lineStream);
    return this.d.publisher.send(id, b);
  }

  private streamBusy(stream: string): void {
    this.inFlightByStream.set(stream, (this.inFlightByStream.get(stream) ?? 0) + 1);
  }

  private streamIdle(stream: string): void {
    const n = (this.inFlightByStream.get(stream) ?? 1) - 1;
    if (n > 0) this.inFlightByStream.set(stream, n);
    else this.inFlightByStream.delete(stream);
  }

  private async closeFh(t: Tracked): Promise<void> {
    const fh = t.fh;
    t.fh = null;
    if (!fh) return;
    this.openCount -= 1;
    await fh.close().catch(() => undefined);
  }

  /**
   * At the descriptor budget (descriptor-budget.ts): closes the least recently used files that are read to
   * their end, down to three quarters of the budget, so the scan runs once per many opens, not per open.
   * A closed file is reopened when it grows. Files still being read keep theirs.
   */
  private async makeRoom(): Promise<void> {
    await this.closeLeastRecentlyUsed(this.idleOpenFiles(), this.openCount - Math.floor(this.maxOpen * 0.75));
  }

  /** Files holding a descriptor that are read to their end. */
  private idleOpenFiles(): Tracked[] {
    const idle: Tracked[] = [];
    for (const t of this.byKey.values()) if (t.fh !== null && t.readPos >= t.lastSize) idle.push(t);
    return idle;
  }

  private async closeLeastRecentlyUsed(files: Tracked[], n: number): Promise<void> {
    if (n <= 0) return;
    files.sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    await Promise.all(files.slice(0, n).map((t) => this.closeFh(t)));
  }
}
