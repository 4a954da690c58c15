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
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TreeScanner } from '../discovery/tree-scanner.js';
import { isTranscriptName } from '../discovery/walk.js';
import type { FileTailer } from '../tail/file-tailer.js';
import type { Tracked } from '../tail/tracked-file.js';
import type { DirectoryWatcher } from './directory-watcher.js';

export interface ChangeDetectorOptions {
  watcher: DirectoryWatcher;
  scanner: TreeScanner;
  tailer: FileTailer;
  markDirty: (path: string) => void;
  isStopping: () => boolean;
  sweepMs: number;
  fullSweepMs: number;
  hotWindowMs: number;
  trailingMs: number;
  /** After each sweep (gauges, descriptor housekeeping). */
  afterSweep: (full: boolean) => void;
}

function allWatched(watcher: DirectoryWatcher, paths: Iterable<string>): boolean {
  for (const p of paths) if (!watcher.has(dirname(p))) return false;
  return true;
}

export class ChangeDetector {
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
    if (this.o.isStopping()) return;
    if (path === null) {
      this.rescan(dir);
      return;
    }
    if (isTranscriptName(path)) {
      this.o.tailer.touched(path);
      this.o.markDirty(path);
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

  private every(ms: number, fn: () => void): void {
    const t = setInterval(() => {
      if (!this.o.isStopping()) fn();
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  private rescan(dir: string): void {
    for (const f of this.o.scanner.rescan(dir)) if (!this.o.tailer.isKnown(f)) this.o.markDirty(f);
  }

  private armTrailing(path: string): void {
    const prev = this.trailing.get(path);
    if (prev) clearTimeout(prev);
    const t = setTimeout(() => {
      this.trailing.delete(path);
      this.o.markDirty(path);
    }, this.o.trailingMs);
    t.unref();
    this.trailing.set(path, t);
  }

  /**
   * Stats the hot files only (the tailer adds a file on a watch event, growth or open; the full sweep
   * re-derives the set); marks those whose size or mtime moved and drops those that went cold. Idle cost
   * is proportional to the active files, not to the 10k old ones.
   */
  private hotSweep(): void {
    const { tailer } = this.o;
    for (const t of tailer.hot) {
      if (this.isHot(t)) tailer.statAndMark(t);
      else {
        tailer.hot.delete(t);
        tailer.rest(t); // gone cold: close it and drop its in-memory state (if not settled yet, the full sweep retries)
      }
    }
    this.o.afterSweep(false);
  }

  /** Changed recently, unwatched, or open with something left to read or acknowledge. */
  private isHot(t: Tracked): boolean {
    return (
      Date.now() - t.lastChangeAt <= this.o.hotWindowMs ||
      !allWatched(this.o.watcher, t.paths) ||
      (t.fh !== null && !this.o.tailer.isSettled(t))
    );
  }

  private fullSweep(): void {
    const { tailer, scanner } = this.o;
    for (const f of scanner.scanAll(false)) if (!tailer.isKnown(f)) this.o.markDirty(f);
    for (const t of tailer.tracked()) {
      tailer.statAndMark(t);
      if (this.isHot(t)) tailer.hot.add(t);
      else if (t.id || t.fh) tailer.rest(t);
    }
    for (const p of tailer.denied) this.o.markDirty(p);
    this.o.afterSweep(true);
  }
}
