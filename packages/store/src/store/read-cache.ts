/**
 * The embedded store's answers to repeated reads. The embedded engine admits one process, so every write to it
 * goes through that process's store: an answer stays true until the store's next insert or statement. A read
 * that asks for reuse (QueryOptions.reusable: its answer is a function of the stored rows, its text and its
 * parameters, as every report's is) is answered from the last run of the same text and parameters while no
 * write has started or ended since that run began.
 *
 * Why: a running `cctap up` answers `cctap report` and the web page from the store it owns;
 * a report over a year of history costs the engine hundreds of milliseconds, and between two asks the store
 * has often not changed at all (a quiet evening, a page reloaded, a report run twice).
 *
 * What is kept is the engine's answer as bytes (each hit parses them again, so no caller can change another's
 * rows), bounded by count and bytes, least recently used first out. An answer is also dropped after
 * MAX_AGE_MS: rows the engine removes on its own (TTL merges of the retention settings) change answers without
 * a write through this process; such merges run hours apart, so the age only bounds how long that can last.
 */

const MAX_ENTRIES = 128;
const MAX_BYTES = 32 * 1024 * 1024;
/** An answer larger than this is not kept: it would push out many smaller ones for one reader. */
const MAX_ENTRY_BYTES = 8 * 1024 * 1024;
const MAX_AGE_MS = 10 * 60 * 1000;

interface Entry {
  bytes: Uint8Array;
  at: number;
}

export class ReadCache {
  /** Ends of writes so far: a read run across a change of it may have seen either side of a write. */
  private writesEnded = 0;
  private writesInFlight = 0;
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Runs a write (insert, DDL, any statement): every kept answer is dropped when it starts and when it ends. */
  async write<T>(run: () => Promise<T>): Promise<T> {
    this.writesInFlight++;
    this.clear();
    try {
      return await run();
    } finally {
      this.writesInFlight--;
      this.writesEnded++;
      this.clear();
    }
  }

  /**
   * The kept answer to `key`, or `run`'s, kept when no write was in flight or ended while it ran (the answer is
   * then the one the store gives now, and will give until the next write).
   */
  async read(key: string, run: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < MAX_AGE_MS) {
      this.entries.delete(key); // to the back: least recently used goes first
      this.entries.set(key, hit);
      return hit.bytes;
    }
    if (hit) this.drop(key, hit);
    const ended = this.writesEnded;
    const quiet = this.writesInFlight === 0;
    const at = this.now();
    const bytes = await run();
    if (quiet && this.writesInFlight === 0 && this.writesEnded === ended && bytes.byteLength <= MAX_ENTRY_BYTES) {
      const old = this.entries.get(key);
      if (old) this.drop(key, old);
      this.entries.set(key, { bytes, at });
      this.bytes += bytes.byteLength;
      for (const [k, e] of this.entries) {
        if (this.entries.size <= MAX_ENTRIES && this.bytes <= MAX_BYTES) break;
        this.drop(k, e);
      }
    }
    return bytes;
  }

  /** How many answers are kept (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.bytes.byteLength;
  }

  private clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

/** The key of a read: its text and its parameters (a call site builds its parameters in one order). */
export function readKey(sql: string, params: Record<string, unknown> | undefined, readOnly: boolean): string {
  return JSON.stringify([readOnly, sql, params ?? null]);
}
