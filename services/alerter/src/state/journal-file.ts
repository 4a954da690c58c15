/**
 * A keyed journal in one local file: every put or delete is one appended JSON line (`{"k":…,"v":…}` or
 * `{"k":…,"d":1}`), the last line of a key wins. Used where alert state has no NATS KV to live in (`cctap up`
 * on the in-process bus), so a restart resumes what was pending.
 *
 * Why a journal and not one JSON document: a storm writes thousands of records several times each (decided,
 * sending, sent); rewriting the whole state per write would be quadratic. Writes that arrive together are
 * appended and fdatasync'ed together (group commit): a write resolves once it is on disk, so an alerter that
 * acks after the write never acks something a crash can lose. On open the file is compacted (live entries
 * only, written to a temp file, fsync'ed, renamed over); it is compacted again when dead lines outnumber live
 * ones. A line cut short by a crash is skipped. The file is 0600 (alerts carry commands and paths).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

type Line = { k: string; v?: unknown; d?: 1 };

export class JournalFile<T> {
  readonly path: string;
  readonly #live = new Map<string, T>();
  #fd: FileHandle | null = null;
  #opening: Promise<void> | null = null;
  #queue: { line: string; done: () => void; fail: (e: unknown) => void }[] = [];
  #flushing: Promise<void> | null = null;
  #lines = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** Reads the file (once), compacts it and opens it for appending. */
  #open(): Promise<void> {
    this.#opening ??= (async () => {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      let text = '';
      try {
        text = readFileSync(this.path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      for (const raw of text.split('\n')) {
        if (!raw) continue;
        let l: Line;
        try {
          l = JSON.parse(raw) as Line;
        } catch {
          continue; // a line a crash cut short
        }
        if (typeof l.k !== 'string') continue;
        if (l.d) this.#live.delete(l.k);
        else this.#live.set(l.k, l.v as T);
      }
      this.#compact();
      this.#fd = await open(this.path, 'a', 0o600);
    })();
    return this.#opening;
  }

  #compact(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      const body = [...this.#live].map(([k, v]) => `${JSON.stringify({ k, v })}\n`).join('');
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.#lines = this.#live.size;
  }

  async values(): Promise<T[]> {
    await this.#open();
    return [...this.#live.values()].map((v) => structuredClone(v));
  }

  async put(key: string, value: T): Promise<void> {
    await this.#open();
    this.#live.set(key, structuredClone(value));
    return this.#append({ k: key, v: value });
  }

  async delete(key: string): Promise<void> {
    await this.#open();
    this.#live.delete(key);
    return this.#append({ k: key, d: 1 });
  }

  #append(l: Line): Promise<void> {
    return new Promise((done, fail) => {
      this.#queue.push({ line: `${JSON.stringify(l)}\n`, done, fail });
      this.#flushing ??= this.#flush();
    });
  }

  /**
   * Appends everything queued in one write and one fdatasync, until the queue is empty. The file is (re)opened
   * inside the same guard as the write: a failed open fails that batch's writes (each caller sees its error)
   * and the next write tries again, so the journal can never be left waiting on itself.
   */
  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          this.#fd ??= await open(this.path, 'a', 0o600);
          await this.#fd.appendFile(batch.map((b) => b.line).join(''));
          await this.#fd.datasync();
          this.#lines += batch.length;
          for (const b of batch) b.done();
        } catch (err) {
          for (const b of batch) b.fail(err);
          continue;
        }
        if (this.#lines > 2 * this.#live.size + 1000) {
          // Written already: a failed compaction only leaves the journal longer (retried after the next write).
          const fd = this.#fd;
          this.#fd = null;
          try {
            await fd.close();
            this.#compact();
          } catch {
            /* keep appending to the old file */
          }
        }
      }
    } finally {
      this.#flushing = null;
    }
  }

  /** Waits for queued writes and closes the file. */
  async close(): Promise<void> {
    await this.#opening?.catch(() => undefined);
    while (this.#flushing) await this.#flushing;
    await this.#fd?.close();
    this.#fd = null;
    this.#opening = null;
    this.#live.clear();
  }
}
