/**
 * Decides when a file gets another look. Watch events are hints; the stat sweeps are the guarantee.
 *
 *   1. fs.watch (one per directory) marks a named file dirty at once, marks it hot, and (re)arms a trailing
 *      re-check `trailingMs` after the last event of a burst (the writer may still be mid-write);
 *   2. every `sweepMs` (1 s) the HOT files are stat-ed: open files, files that grew or had a watch event
 *      within `hotWindowMs` (10 min), and every file in a directory we could not watch;
 *   3. every `fullSweepMs` (30 s) every directory whose entries changed is re-listed (its mtime moved; see
 *      discovery/walk.ts) and every known file stat-ed (new folders, lost events, permission retries).
 * A file that leaves the hot set, read to its end and acknowledged, comes to rest (tail/file-tailer.ts): its
 * in-memory identity is dropped and rebuilt from its checkpoint when it changes again.
 *
 * Why "no appended line waits longer than the sweep period" still holds although cold files are not stat-ed
 * every second: an append to a file is (a) a modification of a child of a watched directory, which inotify
 * reports to the directory watch (events are queued in the kernel, not sampled, so they are not lost to
 * timing, and the file is then hot for 10 minutes, covered by 2. even if later events coalesce), or (b) in
 * a directory without a working watch, whose files are always hot. What remains outside the 1 s bound is
 * a kernel queue overflow (`fs.inotify.max_queued_events`, 16384 by default; Node does not report it) or
 * a file system that delivers no inotify events for remote writers (NFS, some FUSE mounts): there the bound
 * is `fullSweepMs`. Stat-ing everything every second instead is possible (`hotWindowMs: Infinity`); its
 * cost at 10k files is measured in docs/benchmarks.md ("Collector").
 *
 * The detector only reports: `dirty` (look at this path), `cold` (this file left the hot set: let it come
 * to rest), `swept` (after each sweep). It reads the file registry and moves files in and out of its hot
 * set; the collector wires the reports to the read queue and the tailer.
 */
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TreeScanner } from '../discovery/tree-scanner.js';
import { isTranscriptName } from '../discovery/walk.js';
import type { FileRegistry } from '../tail/file-registry.js';
import { isSettled, type Tracked } from '../tail/tracked-file.js';
import type { DirectoryWatcher } from './directory-watcher.js';

export interface ChangeEvents {
  /** `path` may have changed (or is new): give it a look. */
  dirty: [string];
  /** `file` is no longer hot: if it is read to its end and acknowledged it can come to rest. */
  cold: [Tracked];
  /** A sweep ended (`full`: the 30 s one); a moment for gauges and descriptor housekeeping. */
  swept: [boolean];
}

export interface ChangeDetectorOptions {
  watcher: DirectoryWatcher;
  scanner: TreeScanner;
  files: FileRegistry;
  /** Aborted when the collector stops: no more hints or sweeps are acted on. */
  stopping: AbortSignal;
  sweepMs: number;
  fullSweepMs: number;
  hotWindowMs: number;
  trailingMs: number;
}

function allWatched(watcher: DirectoryWatcher, paths: Iterable<string>): boolean {
  for (const p of paths) if (!watcher.has(dirname(p))) return false;
  return true;
}

export class ChangeDetector {
  readonly events = new EventEmitter<ChangeEvents>();
  private readonly trailing = new Map<string, NodeJS.Timeout>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: ChangeDetectorOptions) {}

  start(): void {
    this.every(this.o.sweepMs, () => this.hotSweep());
    this.every(this.o.fullSweepMs, () => this.fullSweep());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    for (const t of this.trailing.values()) clearTimeout(t);
    this.trailing.clear();
  }

  /** A watch event from `dir`, naming `path` (null: the platform did not say which child). */
  onHint(dir: string, path: string | null): void {
    if (this.o.stopping.aborted) return;
    if (path === null) {
      this.rescan(dir);
      return;
    }
    if (isTranscriptName(path)) {
      this.o.files.touch(path);
      this.dirty(path);
      this.armTrailing(path);
      return;
    }
    // Not a transcript: maybe a new folder (a project, `<session>/subagents`), or `projects/` under a root.
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      return;
    }
    if (isDir) this.rescan(this.o.scanner.subtreeFor(dir, path));
  }

  private dirty(path: string): void {
    this.events.emit('dirty', path);
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(() => {
      if (!this.o.stopping.aborted) fn();
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  private rescan(dir: string): void {
    for (const f of this.o.scanner.rescan(dir)) if (!this.o.files.isKnown(f)) this.dirty(f);
  }

  private armTrailing(path: string): void {
    const prev = this.trailing.get(path);
    if (prev) clearTimeout(prev);
    const t = setTimeout(() => {
      this.trailing.delete(path);
      this.dirty(path);
    }, this.o.trailingMs);
    t.unref();
    this.trailing.set(path, t);
  }

  /** Stats every path of `t`; reports those whose inode, size or mtime moved (or that vanished). */
  private statAndMark(t: Tracked): void {
    for (const p of t.paths) {
      try {
        const st = statSync(p);
        if (st.ino !== t.ino || st.dev !== t.dev || st.size !== t.lastSize || st.mtimeMs !== t.lastMtimeMs)
          this.dirty(p);
      } catch {
        this.dirty(p);
      }
    }
  }

  /**
   * Stats the hot files only (the tailer adds a file on a watch event, growth or open; the full sweep
   * re-derives the set); marks those whose size or mtime moved and drops those that went cold. Idle cost
   * is proportional to the active files, not to the 10k old ones.
   */
  private hotSweep(): void {
    const { files } = this.o;
    for (const t of files.hot) {
      if (this.isHot(t)) this.statAndMark(t);
      else {
        files.cool(t);
        // Gone cold: it closes and drops its in-memory state (if not settled yet, the full sweep retries).
        this.events.emit('cold', t);
      }
    }
    this.events.emit('swept', false);
  }

  /** Changed recently, unwatched, or open with something left to read or acknowledge. */
  private isHot(t: Tracked): boolean {
    return (
      Date.now() - t.lastChangeAt <= this.o.hotWindowMs ||
      !allWatched(this.o.watcher, t.paths) ||
      (t.fh !== null && !isSettled(t))
    );
  }

  private fullSweep(): void {
    const { files, scanner } = this.o;
    for (const f of scanner.scanAll(false)) if (!files.isKnown(f)) this.dirty(f);
    for (const t of files.all()) {
      this.statAndMark(t);
      if (this.isHot(t)) files.heat(t);
      else if (t.id || t.fh) this.events.emit('cold', t);
    }
    for (const p of files.denied) this.dirty(p);
    this.events.emit('swept', true);
  }
}
