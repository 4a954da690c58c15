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
 *
 * The pieces: file-registry.ts (which files are tracked, hot, denied), start-position.ts (every "where to
 * read from" decision, pure), identify.ts (a file's Identity and its start), read-loop.ts (bytes to
 * batches), descriptor-cache.ts (open descriptors within the budget). The tailer emits events (TailerEvents)
 * instead of calling back into the collector, which wires them after construction.
 */
import { EventEmitter } from 'node:events';
import type { Stats } from 'node:fs';
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Logger } from '@cctap/kit';
import type { CheckpointEntry, CheckpointStore } from '../checkpoint/checkpoint-store.js';
import type { DeliveredLines } from '../delivered/delivered-lines.js';
import type { CollectorMetrics } from '../metrics.js';
import type { BackfillProgress } from '../progress/backfill-progress.js';
import type { Frontier } from '../publish/ack-frontier.js';
import type { CutBatch } from '../publish/batch-cutter.js';
import type { Publisher } from '../publish/publisher.js';
import type { ResolvedOptions } from '../service/options.js';
import type { DescriptorCache } from './descriptor-cache.js';
import type { FileRegistry } from './file-registry.js';
import { headMatches } from './file-identity.js';
import { Identifier } from './identify.js';
import { ReadLoop } from './read-loop.js';
import { lookAgain, needsHeadCheck, restsUnchanged, type Rewrite } from './start-position.js';
import { StreamsInFlight } from './streams-in-flight.js';
import { checkpointOf, isSettled, type Identity, type Tracked } from './tracked-file.js';

export interface FileSeen {
  path: string;
  fileId: string;
  reason: string;
}

export interface TailerEvents {
  /** A file identity was established (new, resumed, skipped). */
  file: [FileSeen];
  /** `path` needs another look: more to read, replaced between stat and open, or waiting for its stream's acks. */
  dirty: [string];
  /** Something finished that the idle check depends on (a file finished, a batch settled). */
  settled: [];
}

export interface TailerDeps {
  options: ResolvedOptions;
  files: FileRegistry;
  descriptors: DescriptorCache;
  store: CheckpointStore;
  delivered: DeliveredLines;
  publisher: Publisher<Identity>;
  progress: BackfillProgress;
  metrics: CollectorMetrics;
  logger: Logger;
  /** Aborted when the collector stops: reads end at the next chunk. */
  stopping: AbortSignal;
}

/** How soon a read from byte 0 that waits for its stream's batches in flight looks again. */
const IN_FLIGHT_RETRY_MS = 20;

const errCode = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';

export class FileTailer {
  readonly events = new EventEmitter<TailerEvents>();
  private readonly streams = new StreamsInFlight();
  private readonly loop: ReadLoop;
  private readonly identifier: Identifier;
  private readonly files: FileRegistry;
  private readonly o: ResolvedOptions;
  private readonly m: CollectorMetrics;
  private readonly log: Logger;

  constructor(private readonly d: TailerDeps) {
    this.o = d.options;
    this.m = d.metrics;
    this.log = d.logger;
    this.files = d.files;
    this.loop = new ReadLoop({
      readChunkBytes: d.options.readChunkBytes,
      stopping: d.stopping,
      delivered: d.delivered,
      publisher: d.publisher,
      streams: this.streams,
      progress: d.progress,
      metrics: d.metrics,
      logger: d.logger,
    });
    this.identifier = new Identifier({ ...d, streams: this.streams });
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
    let t = this.files.atPath(path);
    if (t && t.key !== key) {
      // The name now points at another inode (rotate-create, or delete + create): finish the old one.
      this.detachPath(t, path, false);
      t = undefined;
    }
    if (!t) {
      t = this.files.withKey(key);
      if (t) this.files.addPath(t, path);
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
        this.files.track(t);
        this.m.filesWatched.set(this.files.count);
      }
    }
    const unchanged = st.size === t.lastSize && st.mtimeMs === t.lastMtimeMs;
    if (t.lastSize >= 0 && !unchanged) t.lastChangeAt = Date.now();
    if (Date.now() - t.lastChangeAt <= this.o.hotWindowMs) this.files.heat(t);
    t.lastSize = st.size;
    t.lastMtimeMs = st.mtimeMs;
    if (t.id && !t.id.finished && st.size === t.readPos && t.fh === null && unchanged) return; // nothing new
    // Resting and untouched: no need to open it. (A touched file of the same size gets its head checked.)
    if (t.restingFileId !== null && st.size === t.readPos && unchanged) return;
    await this.readFile(t, path, st, unchanged);
  }

  /**
   * Start-up, for a listed file whose inode has exactly one checkpoint entry: tracked as resting on that
   * entry without opening it. True when the file is unchanged since everything in it was acknowledged
   * (restsUnchanged): nothing to do. False: it must be looked at (queue it); its first look identifies it
   * from its head against that entry (resume, or a new identity whose old entry is dropped).
   */
  adopt(key: string, path: string, st: Stats, fileId: string, cp: CheckpointEntry): boolean {
    // A second name of an inode, or an entry of another inode: the look sorts it out.
    if (cp.dev !== st.dev || cp.ino !== st.ino || this.files.isKnown(path) || this.files.withKey(key)) return false;
    const unchanged = restsUnchanged(cp, st);
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
    this.files.track(t);
    if (!unchanged) return false;
    if (Date.now() - st.mtimeMs <= this.o.hotWindowMs) this.files.heat(t);
    this.d.progress.track(key, 0);
    return true;
  }

  /**
   * caught-up ──▶ resting: drops the Identity (and closes the descriptor) of a file that is read to its end
   * and fully acknowledged, after a stat confirms the file is still exactly that long; the checkpoint
   * records the mtime of that stat so a restart can adopt the file unopened. False when it is not there yet
   * (a batch in flight, a partial last line, unsent lines, or it changed again).
   */
  rest(t: Tracked): boolean {
    const id = t.id;
    if (!id || !isSettled(t)) return false;
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
    void this.d.descriptors.close(t);
    return true;
  }

  /** At shutdown, after the last acks: every caught-up file comes to rest, so the next start can adopt it. */
  restAll(): void {
    for (const t of this.files.all()) this.rest(t);
  }

  // ───────────── what the publisher reports (wired by the collector) ─────────────

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
    this.streams.idle(id.lineStream);
    this.maybeForget(id);
    this.events.emit('settled');
  }

  // ───────────── the state machine ─────────────

  private denyOrError(path: string, err: unknown): void {
    const code = errCode(err);
    const permission = code === 'EACCES' || code === 'EPERM';
    this.m.errors.inc({ kind: permission ? 'permission' : 'read' });
    if (this.files.deny(path))
      this.log.warn(
        permission
          ? 'permission denied (retried at every full sweep)'
          : 'cannot read transcript (retried at every full sweep)',
        { path, code },
      );
  }

  /** A name went away. Another name of the same inode keeps it alive; otherwise finish it through the fd. */
  private pathGone(path: string): void {
    const t = this.files.atPath(path);
    if (!t) return;
    this.detachPath(t, path, true);
  }

  private detachPath(t: Tracked, path: string, gone: boolean): void {
    // Its last name: finish asynchronously but in order, a drain of this inode through its fd.
    if (this.files.removePath(t, path)) void this.finishTracked(t, gone);
  }

  private async finishTracked(t: Tracked, gone: boolean): Promise<void> {
    this.files.forget(t);
    this.m.filesWatched.set(this.files.count);
    let deleted = gone;
    // Until its last batch is cut, a replacement of the same session (compaction renames one over it) waits.
    const finishing = t.id && !t.id.finished ? t.id.lineStream : null;
    if (finishing) this.streams.busy(finishing);
    if (t.fh && t.id && !t.id.finished) {
      try {
        const st = await t.fh.stat();
        deleted = st.nlink === 0;
        await this.loop.read(t, st.size, true); // its bytes changing under the read (false) ends it there too
      } catch (err) {
        this.m.errors.inc({ kind: 'read' });
        this.log.warn('could not finish a removed transcript', { path: t.id.path, err });
      }
    }
    if (t.id) this.finishIdentity(t.id, deleted);
    if (finishing) this.streams.idle(finishing);
    // A resting file keeps its entry: without a descriptor a rename cannot be told from a delete (see header).
    await this.d.descriptors.close(t);
    this.events.emit('settled');
  }

  private finishIdentity(id: Identity, deleted: boolean): void {
    if (id.finished) return;
    void this.loop.flush(id); // the last batch is cut now, before `finished`; its send may wait for room
    id.finished = true;
    id.deleted = deleted;
    this.maybeForget(id);
  }

  private maybeForget(id: Identity): void {
    if (!id.finished || id.frontier.inFlight > 0) return;
    // Rewritten in place with its first line intact: the identity reading it now has the same fileId.
    const current = this.files.withKey(id.key)?.id;
    if (current && current !== id && current.fileId === id.fileId) return;
    if (id.deleted) this.d.store.delete(id.fileId);
  }

  private async readFile(t: Tracked, path: string, st: Stats, unchanged: boolean): Promise<void> {
    if (!t.fh) {
      try {
        await this.d.descriptors.openFor(t, path);
      } catch (err) {
        this.denyOrError(path, err);
        return;
      }
      const fst = await t.fh!.stat();
      if (fst.ino !== t.ino || fst.dev !== t.dev) {
        // Replaced between stat and open: look again.
        await this.d.descriptors.close(t);
        this.events.emit('dirty', path);
        return;
      }
      this.files.allow(path);
    }
    const fh = t.fh!;
    t.lastUsedAt = Date.now();
    const size = st.size;
    if (t.id && !t.id.finished) {
      const look = { size, readPos: t.readPos, unchanged };
      const rewrite = lookAgain(
        needsHeadCheck(look) ? { ...look, headMatches: await headMatches(fh, t.id.head) } : look,
      );
      if (rewrite) this.newIdentity(t, rewrite);
    }
    if (!t.id || t.id.finished) {
      const found = await this.identifier.identify(t, path, st);
      if ('wait' in found) {
        if (found.wait === 'stream-busy') setTimeout(() => this.events.emit('dirty', path), IN_FLIGHT_RETRY_MS).unref();
        return;
      }
      this.events.emit('file', { path, fileId: found.fileId, reason: found.reason });
      this.files.heat(t); // open now; the sweep drops it again once it is closed and cold
    }
    if (!(await this.loop.read(t, size, false))) {
      this.newIdentity(t, 'rewritten');
      this.events.emit('dirty', path);
      return;
    }
    if (t.readPos < t.lastSize || (await fh.stat()).size > t.readPos) this.events.emit('dirty', path);
    else {
      await this.loop.flush(t.id!);
      if (Date.now() - st.mtimeMs > this.o.hotWindowMs) await this.d.descriptors.close(t);
    }
  }

  private newIdentity(t: Tracked, reason: Rewrite): void {
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
}
