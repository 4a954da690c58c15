/**
 * The files the collector knows: every tracked inode by `dev:ino` and by each of its paths, which of them
 * are hot (stat-ed by the 1 s sweep, see watch/change-detector.ts) and which paths were refused (retried at
 * every full sweep). The sets are private: the tailer tracks and forgets files, the change detector cools
 * and heats them, both through the methods below, so one module owns what "known", "hot" and "denied" mean.
 */
import type { Tracked } from './tracked-file.js';

export class FileRegistry {
  private readonly byPath = new Map<string, Tracked>();
  private readonly byKey = new Map<string, Tracked>();
  private readonly hotFiles = new Set<Tracked>();
  private readonly deniedPaths = new Set<string>();

  /** Tracked inodes (a file with two names counts once). */
  get count(): number {
    return this.byKey.size;
  }

  /** Files with an Identity in memory (the rest are resting). */
  get identifiedCount(): number {
    let n = 0;
    for (const t of this.byKey.values()) if (t.id) n += 1;
    return n;
  }

  isKnown(path: string): boolean {
    return this.byPath.has(path);
  }

  atPath(path: string): Tracked | undefined {
    return this.byPath.get(path);
  }

  withKey(key: string): Tracked | undefined {
    return this.byKey.get(key);
  }

  all(): IterableIterator<Tracked> {
    return this.byKey.values();
  }

  /** Starts tracking `t` under its key and its (single) path. */
  track(t: Tracked): void {
    this.byKey.set(t.key, t);
    for (const p of t.paths) this.byPath.set(p, t);
  }

  /** A second name of an already tracked inode (a hard link, or a rename seen before the old name went). */
  addPath(t: Tracked, path: string): void {
    t.paths.push(path);
    this.byPath.set(path, t);
  }

  /** Drops one name of `t`; true when it was its last, so the inode itself is to be finished (forget()). */
  removePath(t: Tracked, path: string): boolean {
    this.byPath.delete(path);
    const at = t.paths.indexOf(path);
    if (at >= 0) t.paths.splice(at, 1);
    if (t.paths.length > 0 && t.id && t.id.path === path) t.id.path = t.paths[0]!;
    return t.paths.length === 0;
  }

  /** The inode is no longer tracked (its names are already gone). */
  forget(t: Tracked): void {
    this.byKey.delete(t.key);
    this.hotFiles.delete(t);
  }

  // ───────────── hot ─────────────

  get hot(): ReadonlySet<Tracked> {
    return this.hotFiles;
  }

  heat(t: Tracked): void {
    this.hotFiles.add(t);
  }

  cool(t: Tracked): void {
    this.hotFiles.delete(t);
  }

  /** A watch event named `path`: it counts as changed now, hence hot for the next hot window. */
  touch(path: string, now = Date.now()): void {
    const t = this.byPath.get(path);
    if (!t) return;
    t.lastChangeAt = now;
    this.hotFiles.add(t);
  }

  // ───────────── denied ─────────────

  get denied(): ReadonlySet<string> {
    return this.deniedPaths;
  }

  /** True the first time `path` is refused (so it is logged once, not at every sweep). */
  deny(path: string): boolean {
    if (this.deniedPaths.has(path)) return false;
    this.deniedPaths.add(path);
    return true;
  }

  allow(path: string): void {
    this.deniedPaths.delete(path);
  }
}
