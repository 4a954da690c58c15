/**
 * Lists the transcript trees under every root and keeps a directory watch on each directory found (when
 * watching). The roots themselves are watched so a `projects/` created later is seen at once.
 */
import type { Logger } from '@cctap/kit';
import type { CollectorMetrics } from '../metrics.js';
import type { DirectoryWatcher } from '../watch/directory-watcher.js';
import { projectsDirOf } from './roots.js';
import { walkTree, type DirCache, type WalkResult } from './walk.js';

export class TreeScanner {
  private readonly visitedDirs = new Set<string>();
  /** Directory mtimes of the last full listing: the periodic sweep re-lists only directories that changed. */
  private readonly dirCache: DirCache = new Map();
  /** Entries already reported as not tailable: counted and logged once, not on every sweep. */
  private readonly reportedSkips = new Set<string>();

  constructor(
    private readonly roots: readonly string[],
    /** null: one-shot mode, nothing is watched. */
    private readonly watcher: DirectoryWatcher | null,
    private readonly metrics: CollectorMetrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Lists every root's projects tree, watches its directories, returns the transcript files: all of them
   * when `initial`, afterwards only those in directories whose entries changed since the previous listing
   * (the caller looks for files it does not know yet; deletions show up in its own stats).
   */
  scanAll(initial: boolean): string[] {
    const files: string[] = [];
    if (initial) this.dirCache.clear();
    for (const root of this.roots) {
      this.watcher?.add(root);
      const r = walkTree(projectsDirOf(root), initial ? this.visitedDirs : new Set(), this.dirCache);
      for (const e of r.errors) {
        this.metrics.errors.inc({ kind: e.code === 'EACCES' || e.code === 'EPERM' ? 'permission' : 'walk' });
        this.logger.warn('cannot list directory', { path: e.path, code: e.code });
      }
      this.reportSkips(r);
      for (const d of r.dirs) {
        this.watcher?.add(d);
        this.visitedDirs.add(d);
      }
      files.push(...r.files);
    }
    this.syncGauge();
    return files;
  }

  private reportSkips(r: WalkResult): void {
    for (const s of r.skipped) {
      if (this.reportedSkips.has(s.path)) continue;
      this.reportedSkips.add(s.path);
      this.metrics.filesSkipped.inc({ reason: s.reason });
      this.logger.warn('not reading a transcript-named entry that is not a regular file', {
        path: s.path,
        reason: s.reason,
      });
    }
  }

  /** Lists one directory subtree (a new project folder, `<session>/subagents`), watching what it finds. */
  rescan(dir: string): string[] {
    const r = walkTree(dir, new Set());
    this.reportSkips(r);
    for (const d of r.dirs) {
      this.watcher?.add(d);
      this.visitedDirs.add(d);
    }
    this.syncGauge();
    return r.files;
  }

  /** The projects directory to rescan when `dir` (a root, or a folder below it) announces a new folder. */
  subtreeFor(dir: string, child: string): string {
    return this.roots.includes(dir) ? projectsDirOf(dir) : child;
  }

  private syncGauge(): void {
    this.metrics.dirsWatched.set(this.watcher?.count ?? 0);
  }
}
