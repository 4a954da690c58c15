/**
 * The collector service shell: wires discovery, change detection, the read queue, the file tailer, the
 * publisher, checkpoints, heartbeats and progress, and runs their lifecycle.
 *
 *   created ──start()──▶ running (ready: the tree is listed, watches set, backlog queued)
 *                           │ stop(): not ready, no new reads, wait for the current read and for the
 *                           ▼ in-flight acks (≤ stopTimeoutMs), write the checkpoint, close descriptors
 *                        stopped
 *
 * Where things live: tail/ (file registry, per-file state machine, start decisions, read loop, read queue,
 * descriptors), publish/ (batches, in-flight window, ack frontier, publisher), watch/ (fs.watch hints and
 * stat sweeps), discovery/ (roots and tree listing), checkpoint/ (the on-disk offsets), heartbeat/, progress/.
 *
 * Construction builds each piece from the ones it uses (data flows one way); what a piece reports (a path
 * to look at, an ack, a file gone cold, progress) it emits as a typed event, and wire() connects those
 * events to the pieces that act on them once all exist. So no piece holds a callback into a field that is
 * assigned later, and the order of construction is only that of plain dependencies.
 */
import { EventEmitter } from 'node:events';
import { statSync, type Stats } from 'node:fs';
import { topology } from '@cctap/events';
import { createMetrics, silentLogger, type Logger } from '@cctap/kit';
import { join } from 'node:path';
import { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import { claimDestination, forgetDeliveries } from '../checkpoint/destination.js';
import { DeliveredLines } from '../delivered/delivered-lines.js';
import { TreeScanner } from '../discovery/tree-scanner.js';
import { GuardDecisions } from '../guard/guard-decisions.js';
import { Heartbeat } from '../heartbeat/heartbeat.js';
import { collectorMetrics, type CollectorMetrics } from '../metrics.js';
import { BackfillProgress, type CollectorProgress, type ProgressEvents } from '../progress/backfill-progress.js';
import type { Publisher } from '../publish/publisher.js';
import { publisherWithEvents, type PublishEvents } from '../publish/publish-events.js';
import { DescriptorCache } from '../tail/descriptor-cache.js';
import { descriptorBudget } from '../tail/descriptor-budget.js';
import { FileRegistry } from '../tail/file-registry.js';
import { FileTailer, type TailerEvents } from '../tail/file-tailer.js';
import { ReadQueue } from '../tail/read-queue.js';
import { unreadAtStart } from '../tail/start-position.js';
import { lagBytes, type Identity } from '../tail/tracked-file.js';
import { ChangeDetector } from '../watch/change-detector.js';
import { DirectoryWatcher } from '../watch/directory-watcher.js';
import { resolveOptions, type CollectorOptions, type ResolvedOptions } from './options.js';

export interface CollectorHealth {
  live: boolean;
  ready: boolean;
  files: number;
  directories: number;
  inFlight: number;
  checkpointLagBytes: number;
  backfillDone: boolean;
  /** Files with their reading state in memory; the others are resting (cold, acknowledged, rebuilt on change). */
  filesIdentified: number;
}

export type CollectorEvents = Pick<TailerEvents, 'file'> &
  ProgressEvents & {
    /** After each look over the files (`full`: every known file, not only the hot ones); a test's "it has looked". */
    swept: [full: boolean];
  };

export interface CollectorService {
  /** For the kit's runner. */
  readonly name: string;
  start(): Promise<void>;
  /** Graceful: stop reading, wait for in-flight acks, write the checkpoint, close. */
  stop(reason?: string): Promise<void>;
  health(): CollectorHealth & { details: Record<string, unknown> };
  /** Resolves once everything on disk is read and acknowledged (nothing queued, nothing in flight). */
  idle(): Promise<void>;
  /** Reads and publishes everything that exists, waits for the acks, stops. */
  runOnce(): Promise<CollectorProgress>;
  /** Backfill progress now: after start(), the files and bytes to read are known before any is read. */
  progressNow(): CollectorProgress;
  readonly events: EventEmitter<CollectorEvents>;
}

/** A failed stat (gone, denied) is left to the tailer, which counts and retries what needs it. */
function statOrNull(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

export function createCollector(opts: CollectorOptions): CollectorService {
  return new Collector(opts);
}

class Collector implements CollectorService {
  readonly name = 'collector';
  readonly events = new EventEmitter<CollectorEvents>();
  private readonly o: ResolvedOptions;
  private readonly log: Logger;
  private readonly m: CollectorMetrics;
  /** Aborted when stop() begins: every piece checks it before starting new work. */
  private readonly halt = new AbortController();
  private readonly store: CheckpointStore;
  private readonly delivered: DeliveredLines;
  private readonly watcher: DirectoryWatcher;
  private readonly scanner: TreeScanner;
  private readonly publisher: Publisher<Identity>;
  private readonly progress: BackfillProgress;
  private readonly files: FileRegistry;
  private readonly descriptors: DescriptorCache;
  private readonly tailer: FileTailer;
  private readonly queue: ReadQueue;
  private readonly detector: ChangeDetector;
  private readonly heartbeat: Heartbeat;
  private readonly guard: GuardDecisions | null;
  private guardFailing = false;
  private readonly subject: string;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];
  private started = false;
  private stopped: Promise<void> | null = null;
  private ready = false;

  constructor(opts: CollectorOptions) {
    this.o = resolveOptions(opts);
    this.log = opts.logger ?? silentLogger;
    this.m = collectorMetrics(opts.metrics ?? createMetrics('collector', { defaultMetrics: false }));
    this.subject = topology(opts.subjectPrefix).subjects.raw(opts.host);
    const stopping = this.halt.signal;
    this.store = new CheckpointStore(opts.stateDir, this.o.checkpointFlushMs);
    this.delivered = new DeliveredLines(join(opts.stateDir, 'delivered'), (stream) =>
      this.log.warn('a session has more delivered lines than are recorded; a rewrite of it may publish some again', {
        stream,
      }),
    );
    this.watcher = new DirectoryWatcher();
    this.scanner = new TreeScanner(this.o.roots, this.o.watch ? this.watcher : null, this.m, this.log);
    const { publisher, events: acks } = publisherWithEvents<Identity>({
      bus: this.o.bus,
      subject: this.subject,
      maxInFlight: this.o.maxInFlight,
      maxInFlightBytes: this.o.maxInFlightBytes,
      stopTimeoutMs: this.o.stopTimeoutMs,
      isStopping: () => stopping.aborted,
      metrics: this.m,
      logger: this.log,
    });
    this.publisher = publisher;
    this.progress = new BackfillProgress({ eventsPublished: () => publisher.eventsPublished });
    this.files = new FileRegistry();
    this.descriptors = new DescriptorCache(this.files, descriptorBudget(this.o.maxOpenFiles));
    this.tailer = new FileTailer({
      options: this.o,
      files: this.files,
      descriptors: this.descriptors,
      store: this.store,
      delivered: this.delivered,
      publisher,
      progress: this.progress,
      metrics: this.m,
      logger: this.log,
      stopping,
    });
    this.queue = new ReadQueue(this.tailer, stopping);
    this.detector = new ChangeDetector({
      watcher: this.watcher,
      scanner: this.scanner,
      files: this.files,
      stopping,
      sweepMs: this.o.sweepMs,
      fullSweepMs: this.o.fullSweepMs,
      hotWindowMs: this.o.hotWindowMs,
      trailingMs: this.o.trailingMs,
    });
    const files = this.files;
    this.heartbeat = new Heartbeat({
      bus: this.o.bus,
      subject: this.subject,
      host: this.o.host,
      user: this.o.user,
      labels: this.o.labels,
      stats: () => ({ filesWatched: files.count, bytesBehind: lagBytes(files.all()) }),
      metrics: this.m,
      logger: this.log,
    });
    this.guard = this.o.guardDecisions
      ? new GuardDecisions({
          file: this.o.guardDecisions,
          bus: this.o.bus,
          subject: this.subject,
          host: this.o.host,
          user: this.o.user,
          privacy: this.o.privacy,
          stringCap: this.o.stringCap,
          labels: this.o.labels,
          stateDir: opts.stateDir,
          logger: this.log,
        })
      : null;
    this.wire(acks);
  }

  /**
   * Publishes the guard's new decisions; a failure is logged (once until a drain succeeds again: sweeps run
   * every second) and the next sweep, or idle(), tries again.
   */
  private drainGuard(): Promise<void> {
    if (!this.guard || this.halt.signal.aborted) return Promise.resolve();
    return this.guard.drain().then(
      () => {
        this.guardFailing = false;
      },
      (err: unknown) => {
        this.m.errors.inc({ kind: 'read' });
        const log = this.guardFailing ? this.log.debug.bind(this.log) : this.log.warn.bind(this.log);
        this.guardFailing = true;
        log('could not publish the guard decisions; tried again at the next sweep', {
          file: this.o.guardDecisions,
          err,
        });
      },
    );
  }

  /** Who acts on what each piece reports. Listeners run synchronously, in the order the reports happen. */
  private wire(acks: EventEmitter<PublishEvents<Identity>>): void {
    const { watcher, detector, tailer, queue, progress, descriptors } = this;
    watcher.events.on('hint', (hint) => detector.onHint(hint.dir, hint.path));
    watcher.events.on('unwatchable', (dir, err) => this.unwatchable(dir, err));
    detector.events.on('dirty', (path) => queue.mark(path));
    detector.events.on('cold', (t) => tailer.rest(t)); // if not settled yet, the full sweep retries
    detector.events.on('swept', (full) => {
      void this.drainGuard(); // never rejects: drainGuard logs
      if (full) descriptors.closeIdle();
      this.updateGauges(full);
      this.events.emit('swept', full);
    });
    tailer.events.on('dirty', (path) => queue.mark(path));
    tailer.events.on('file', (f) => this.events.emit('file', f));
    tailer.events.on('settled', () => this.resolveIdle());
    acks.on('delivered', (id, b) => tailer.onDelivered(id, b));
    acks.on('frontier', (id, f) => tailer.onFrontier(id, f));
    acks.on('settled', (id) => tailer.onSettled(id));
    queue.events.on('failed', (path, err) => {
      this.m.errors.inc({ kind: 'read' });
      this.log.error('unexpected error while reading a transcript (retried at the next sweep)', { path, err });
    });
    queue.events.on('drained', () => {
      descriptors.closeIdle();
      progress.maybeEmit(true);
      this.resolveIdle();
    });
    progress.events.on('progress', (p) => this.events.emit('progress', p));
    progress.events.on('backfill-done', (p) => this.events.emit('backfill-done', p));
  }

  /**
   * A root that does not exist yet is normal (both default roots rarely exist): the full sweep picks it up
   * once Claude Code creates it. Anything else is worth a warning and a count.
   */
  private unwatchable(dir: string, err: Error): void {
    if ((err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      this.log.info('directory does not exist yet; the sweep will pick it up when it appears', { dir });
      return;
    }
    this.m.errors.inc({ kind: 'watch' });
    this.log.warn('cannot watch directory (the sweep still covers it)', {
      dir,
      err: (err as Error | undefined)?.message ?? String(err),
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.claimState();
    this.store.load();
    this.delivered.prune();
    this.progress.begin();
    const files = this.scanner.scanAll(true);
    // A file whose inode has a checkpoint entry is adopted on it; when it is unchanged since it came to rest
    // it is not even opened. The others (new, grown, replaced, or without a recorded mtime) are queued to be
    // identified and read. One pass, nothing per file kept beyond what the tailer keeps.
    const byInode = this.store.byInode();
    const seen = new Set<string>();
    let resting = 0;
    for (const f of files) {
      const st = statOrNull(f);
      if (st) {
        const key = `${st.dev}:${st.ino}`;
        seen.add(String(st.ino)); // by inode number alone: a renumbered device keeps its entries (findMoved)
        const cp = byInode.get(key);
        if (cp && this.tailer.adopt(key, f, st, cp.fileId, cp.entry)) {
          resting += 1;
          continue;
        }
        // The backfill's total, before anything is read: what lies past the checkpoint (or all of a new file).
        this.progress.expect(key, unreadAtStart(cp?.entry, st.size));
      }
      this.queue.mark(f); // a failed stat is looked at too: gone, or denied (counted, retried)
    }
    this.pruneCheckpoints(seen);
    this.ready = true;
    this.progress.maybeEmit(true);
    this.log.info('collector started', {
      roots: this.o.roots,
      files: files.length,
      resting,
      directories: this.watcher.count,
      subject: this.subject,
      checkpoints: this.store.size,
    });
    // Nothing to read means the backfill is already over; the queue would never drain to say so.
    if (this.queue.empty) this.resolveIdle();
    void this.drainGuard(); // never rejects: drainGuard logs
    if (this.o.watch) {
      this.detector.start();
      if (this.o.heartbeatMs > 0) {
        this.heartbeatTimer = setInterval(() => {
          if (!this.halt.signal.aborted) void this.heartbeat.beat();
        }, this.o.heartbeatMs);
        this.heartbeatTimer.unref();
        void this.heartbeat.beat();
      }
    }
  }

  /** Idempotent: every caller waits for the same shutdown. */
  stop(reason?: string): Promise<void> {
    this.stopped ??= this.shutdown(reason);
    return this.stopped;
  }

  private async shutdown(reason: string | undefined): Promise<void> {
    this.halt.abort();
    this.ready = false;
    if (reason) this.log.info('collector stopping', { reason });
    this.detector.stop();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.watcher.close();
    await this.queue.running;
    await this.guard?.settled();
    await this.publisher.drain(Date.now() + this.o.stopTimeoutMs);
    if (this.publisher.inFlight > 0)
      this.log.warn('stopping with batches in flight; they are re-sent after restart', {
        inFlight: this.publisher.inFlight,
      });
    this.tailer.restAll(); // records size + mtime of every caught-up file: the next start adopts them unopened
    this.store.flush();
    this.delivered.close();
    await this.descriptors.closeAll();
    this.resolveIdle(true);
    this.log.info('collector stopped', { checkpointWrites: this.store.writes });
  }

  health(): CollectorHealth & { details: Record<string, unknown> } {
    const h: CollectorHealth = {
      live: !this.halt.signal.aborted || this.publisher.inFlight > 0,
      ready: this.ready,
      files: this.files.count,
      directories: this.watcher.count,
      inFlight: this.publisher.inFlight,
      checkpointLagBytes: lagBytes(this.files.all()),
      backfillDone: this.progress.done,
      filesIdentified: this.files.identifiedCount,
    };
    const { ready: _ready, ...details } = h;
    return { ...h, details };
  }

  idle(): Promise<void> {
    const transcripts = this.isIdle()
      ? Promise.resolve()
      : new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    // The guard's decisions written so far are published too (a failure is logged: idle() does not reject).
    return this.guard ? transcripts.then(() => this.drainGuard()) : transcripts;
  }

  progressNow(): CollectorProgress {
    return this.progress.snapshot();
  }

  async runOnce(): Promise<CollectorProgress> {
    await this.start();
    await this.idle();
    const p = this.progress.snapshot();
    await this.stop();
    return p;
  }

  private isIdle(): boolean {
    return this.queue.empty && this.publisher.inFlight === 0;
  }

  private resolveIdle(force = false): void {
    if (!force && !this.isIdle()) return;
    if (!this.progress.done && this.ready && this.isIdle()) {
      this.store.flush();
      this.updateGauges();
      this.progress.finish();
    }
    const ws = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of ws) w();
  }

  /**
   * Before the checkpoints are loaded: `reset` forgets them on purpose; a destination other than the one
   * they were recorded for forgets them too (checkpoint/destination.ts). Either says so in one line.
   */
  private async claimState(): Promise<void> {
    const dir = this.o.stateDir;
    const dest = (await this.o.destination?.()) ?? null;
    const since = this.o.since
      ? `; files last modified before ${this.o.since.toISOString()} are skipped (--since)`
      : '';
    if (this.o.reset) {
      this.guard?.forget();
      const f = forgetDeliveries(dir);
      if (dest) claimDestination(dir, dest);
      this.log.warn(
        `reset: forgot the checkpoints of ${f.files} files and the delivered-line records of ${f.sessions} sessions in ${dir}; every transcript is read again from the beginning${since}`,
        { stateDir: dir, ...f },
      );
      return;
    }
    if (!dest) return;
    const c = claimDestination(dir, dest);
    if (c.kind === 'changed') {
      this.guard?.forget();
      this.log.warn(
        `the checkpoints in ${dir} were for ${c.previous.label}, not ${dest.label}: forgot them (${c.forgotten.files} files); every transcript is read again from the beginning${since}`,
        { stateDir: dir, previous: c.previous.id, destination: dest.id, ...c.forgotten },
      );
    }
  }

  /** Forgets checkpoints of files that no longer exist (Claude Code's retention deletes old transcripts); `seen`: the inode numbers listed. */
  private pruneCheckpoints(seen: Set<string>): void {
    for (const [id, e] of [...this.store.all()]) if (!seen.has(String(e.ino))) this.store.delete(id);
  }

  /** Cold files are caught up (an unacknowledged file stays open, hence hot): every second the hot ones suffice. */
  private updateGauges(all = true): void {
    this.m.checkpointLag.set(lagBytes(all ? this.files.all() : this.files.hot));
    this.m.filesWatched.set(this.files.count);
    this.m.dirsWatched.set(this.watcher.count);
  }
}
