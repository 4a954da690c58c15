/**
 * A set that forgets its oldest members beyond a capacity (recently seen event ids). A ring of insertion
 * order next to the Set: evicting never walks the Set from its start (which in V8 skips every deleted
 * entry and turns eviction into O(deleted)).
 */
export class LruSet {
  private readonly items = new Set<string>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity);
  }

  /** Adds `key`; returns false when it was already there. */
  add(key: string): boolean {
    if (this.items.has(key)) return false;
    const old = this.ring[this.next];
    if (old !== undefined) this.items.delete(old);
    this.ring[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    this.items.add(key);
    return true;
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  get size(): number {
    return this.items.size;
  }
}
