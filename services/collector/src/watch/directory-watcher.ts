/**
 * Watch hints: one `fs.watch` per directory (inotify reports the children's modifications), never one per
 * file. Chosen by measurement (docs/benchmarks.md, "Collector"; research reliability-performance.md 2.5):
 * at 10k files in 100 folders, chokidar 5 watches every file (131 MB RSS in the research run) and drops
 * the tail of a burst (one `change` per 50 ms, no trailing event), while per-directory `fs.watch` costs
 * ~100 watches and delivers every raw event.
 *
 * Events are hints only: the collector re-reads from its own offsets, schedules a trailing re-check after
 * each burst and sweeps with `stat`, so a lost or coalesced event delays a line by at most a sweep period.
 */
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface WatchHint {
  /** The directory the event came from. */
  dir: string;
  /** The child path named by the event; null when the platform did not say which (then: rescan `dir`). */
  path: string | null;
}

export interface WatchEvents {
  hint: [WatchHint];
  /** `dir` could not be watched, or its watch broke (it is still covered by the sweep). */
  unwatchable: [string, Error];
}

export class DirectoryWatcher {
  readonly events = new EventEmitter<WatchEvents>();
  private readonly watchers = new Map<string, FSWatcher>();
  errors = 0;

  get count(): number {
    return this.watchers.size;
  }

  has(dir: string): boolean {
    return this.watchers.has(dir);
  }

  /** Starts watching `dir`; false when it cannot be watched (it is still covered by the sweep). */
  add(dir: string): boolean {
    if (this.watchers.has(dir)) return true;
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: false }, (_event, filename) => {
        this.events.emit('hint', { dir, path: filename ? join(dir, filename.toString()) : null });
      });
    } catch (err) {
      this.errors += 1;
      this.events.emit('unwatchable', dir, err as Error);
      return false;
    }
    w.on('error', (err) => {
      // The directory went away (or the watch broke): drop it; the sweep re-adds it if it comes back.
      this.remove(dir);
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EPERM') {
        this.errors += 1;
        this.events.emit('unwatchable', dir, err);
      }
    });
    this.watchers.set(dir, w);
    return true;
  }

  remove(dir: string): void {
    const w = this.watchers.get(dir);
    if (!w) return;
    this.watchers.delete(dir);
    w.close();
  }

  /** Directories we watch that are `dir` or below it. */
  under(dir: string): string[] {
    const prefix = `${dir}/`;
    return [...this.watchers.keys()].filter((d) => d === dir || d.startsWith(prefix));
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
