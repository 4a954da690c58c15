/**
 * The collector's checkpoints: one JSON file per collector (`<stateDir>/checkpoints.json`), one entry per
 * file identity with the byte offset up to which everything is acknowledged by JetStream.
 *
 * Writes are atomic and durable (durable-write.ts): a crash at any point leaves either the old or the new
 * file. Writes are coalesced (`flushDelayMs`, and 1 ms per 10 files beyond it: each write is the whole file,
 * so a history of 16,000 files is written every 1.6 s rather than five times a second): the checkpoint may
 * trail the acks by that much, which only means a few batches are re-sent after a crash, and msg-id dedup
 * drops them. The offsets say what one destination has; another one starts without them (destination.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateDir } from '@cctap/kit';
import { z } from 'zod';
import { writeDurably } from './durable-write.js';

export const checkpointEntry = z.object({
  path: z.string(),
  dev: z.number(),
  ino: z.number(),
  headLength: z.number().int().nonnegative(),
  headSha256: z.string(),
  /** Everything before this byte is acknowledged. */
  offset: z.number().int().nonnegative(),
  lastTs: z.string().nullable(),
  /** Set when the file was skipped by `--since` rather than published. */
  skipped: z.boolean().optional(),
  /**
   * The file's mtime when a stat showed it exactly `offset` bytes long with everything acknowledged (written
   * when a file comes to rest, and at shutdown). A restart that finds the same dev, inode, size and mtime
   * takes the file as unchanged without opening it (tail/file-tailer.ts, "resting"). Absent: look inside.
   */
  mtimeMs: z.number().optional(),
});
export type CheckpointEntry = z.infer<typeof checkpointEntry>;

const stateFile = z.object({
  version: z.literal(1),
  files: z.record(z.string(), checkpointEntry),
});

/**
 * The same entry as one object literal with every field (absent ones undefined, which JSON omits): all
 * entries share one hidden class with in-object fields. What the parser builds field by field spills into a
 * separate property array per object, which at 10k files is a measurable part of the idle heap.
 */
function compactEntry(e: CheckpointEntry): CheckpointEntry {
  return {
    path: e.path,
    dev: e.dev,
    ino: e.ino,
    headLength: e.headLength,
    headSha256: e.headSha256,
    offset: e.offset,
    lastTs: e.lastTs,
    skipped: e.skipped ? true : undefined,
    mtimeMs: e.mtimeMs,
  };
}

class CheckpointCorruptError extends Error {
  override readonly name = 'CheckpointCorruptError';
}

export const CHECKPOINT_FILE = 'checkpoints.json';

export class CheckpointStore {
  readonly file: string;
  private readonly entries = new Map<string, CheckpointEntry>();
  /** fileIds by inode number, for findMoved: a first backfill asks it once per file. */
  private readonly byIno = new Map<number, Set<string>>();
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  writes = 0;

  constructor(
    readonly dir: string,
    private readonly flushDelayMs = 200,
  ) {
    this.file = join(dir, CHECKPOINT_FILE);
  }

  /** Loads the state file; a missing file is an empty state, an unreadable one is an error (never guessed). */
  load(): void {
    privateDir(this.dir);
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let parsed: z.infer<typeof stateFile>;
    try {
      parsed = stateFile.parse(JSON.parse(text));
    } catch (err) {
      throw new CheckpointCorruptError(
        `checkpoint file ${this.file} is not valid (${(err as Error).message.split('\n')[0]}); move it away to start over`,
      );
    }
    for (const [id, e] of Object.entries(parsed.files)) this.put(id, compactEntry(e));
  }

  private put(fileId: string, entry: CheckpointEntry): void {
    const before = this.entries.get(fileId);
    if (before && before.ino !== entry.ino) this.unindex(fileId, before.ino);
    this.entries.set(fileId, entry);
    let ids = this.byIno.get(entry.ino);
    if (!ids) this.byIno.set(entry.ino, (ids = new Set()));
    ids.add(fileId);
  }

  private unindex(fileId: string, ino: number): void {
    const ids = this.byIno.get(ino);
    if (!ids) return;
    ids.delete(fileId);
    if (ids.size === 0) this.byIno.delete(ino);
  }

  get(fileId: string): CheckpointEntry | undefined {
    return this.entries.get(fileId);
  }

  all(): IterableIterator<[string, CheckpointEntry]> {
    return this.entries.entries();
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The entries by inode (`dev:ino`), for the start-up pass that adopts unchanged files without opening them.
   * An inode with more than one entry (a rewrite whose old entry is still kept) maps to null: ambiguous,
   * so that file is identified by its head as usual.
   */
  byInode(): Map<string, { fileId: string; entry: CheckpointEntry } | null> {
    const out = new Map<string, { fileId: string; entry: CheckpointEntry } | null>();
    for (const [fileId, entry] of this.entries) {
      const key = `${entry.dev}:${entry.ino}`;
      out.set(key, out.has(key) ? null : { fileId, entry });
    }
    return out;
  }

  /**
   * The entry of the same inode number and head under another device number (st_dev renumbered by LUKS,
   * btrfs subvolumes, Docker for Mac): the same file, whose fileId changed only because the device did.
   * Asked for every file without an entry of its own (each one of a first backfill): looked up by inode
   * number, not by scanning every entry (that made a first backfill quadratic in its number of files).
   */
  findMoved(
    dev: number,
    ino: number,
    head: { length: number; sha256: string },
  ): { fileId: string; entry: CheckpointEntry } | undefined {
    for (const fileId of this.byIno.get(ino) ?? []) {
      const entry = this.entries.get(fileId)!;
      if (entry.dev !== dev && entry.headSha256 === head.sha256 && entry.headLength === head.length)
        return { fileId, entry };
    }
    return undefined;
  }

  set(fileId: string, entry: CheckpointEntry): void {
    this.put(fileId, entry);
    this.schedule();
  }

  delete(fileId: string): void {
    const entry = this.entries.get(fileId);
    if (!entry) return;
    this.entries.delete(fileId);
    this.unindex(fileId, entry.ino);
    this.schedule();
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.flush();
      },
      Math.max(this.flushDelayMs, Math.floor(this.entries.size / 10)),
    );
    this.timer.unref();
  }

  /** Writes the state now if anything changed. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.dirty) return;
    this.dirty = false;
    writeDurably(this.dir, this.file, JSON.stringify({ version: 1, files: Object.fromEntries(this.entries) }));
    this.writes += 1;
  }
}
