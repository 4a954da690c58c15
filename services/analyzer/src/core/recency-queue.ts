/**
 * Least-recently-touched order of keys, with O(1) amortized touch, delete and oldest.
 *
 * Why not a Map re-inserted on every touch and read from its start: V8 leaves a deleted entry as a hole
 * until the table is rebuilt, and iteration from the start walks every hole, so "the oldest session" after
 * many evictions cost O(sessions) per new session (100k one-line sessions took minutes). Here a touch
 * appends (key, stamp) to a queue and remembers the key's latest stamp; queue entries whose stamp is no
 * longer the key's are stale and skipped once, from the head, never again. The queue is compacted when
 * stale entries outnumber live ones, so its size stays within a constant of the number of keys.
 */
export class RecencyQueue {
  private readonly stamps = new Map<string, number>();
  private keys: string[] = [];
  private keyStamps: number[] = [];
  private head = 0;
  private clock = 0;

  /** Marks `key` as the most recently touched (adds it when new). */
  touch(key: string): void {
    const stamp = ++this.clock;
    this.stamps.set(key, stamp);
    this.keys.push(key);
    this.keyStamps.push(stamp);
    if (this.keys.length - this.head > 2 * this.stamps.size + 1024) this.compact();
  }

  delete(key: string): void {
    this.stamps.delete(key);
  }

  /** The least recently touched key, or undefined when there is none. */
  oldest(): string | undefined {
    while (this.head < this.keys.length) {
      const key = this.keys[this.head]!;
      if (this.stamps.get(key) === this.keyStamps[this.head]) return key;
      this.head += 1;
    }
    return undefined;
  }

  get size(): number {
    return this.stamps.size;
  }

  /** Live keys, least recently touched first. */
  *ordered(): IterableIterator<string> {
    for (let i = this.head; i < this.keys.length; i += 1) {
      const key = this.keys[i]!;
      if (this.stamps.get(key) === this.keyStamps[i]) yield key;
    }
  }

  private compact(): void {
    const keys: string[] = [];
    const stamps: number[] = [];
    for (let i = this.head; i < this.keys.length; i += 1) {
      const key = this.keys[i]!;
      if (this.stamps.get(key) === this.keyStamps[i]) {
        keys.push(key);
        stamps.push(this.keyStamps[i]!);
      }
    }
    this.keys = keys;
    this.keyStamps = stamps;
    this.head = 0;
  }
}
