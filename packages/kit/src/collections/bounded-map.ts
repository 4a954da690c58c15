/**
 * A map that holds at most `capacity` entries and, beyond, forgets the least recently touched one.
 *
 * Order: a new key is the most recent; `set` of a known key replaces its value where it stands (as a Map
 * does), `touch` makes a key the most recent. So a bounded map is a FIFO when nobody touches and an LRU
 * when every use touches.
 *
 * Why not a Map read from its start (`keys().next()`) to find the oldest: V8 leaves a deleted entry as a
 * hole until the table is rebuilt, and iteration from the start walks every hole, so "the oldest" after
 * many evictions costs O(deleted). Here the order is a doubly linked list beside the Map (as LruSet keeps a
 * ring beside its Set): set, get, touch, delete and eviction are O(1), and iteration walks live entries only.
 */

interface Node<K, V> {
  key: K;
  value: V;
  older: Node<K, V> | null;
  newer: Node<K, V> | null;
}

export class BoundedMap<K, V> {
  private readonly nodes = new Map<K, Node<K, V>>();
  private oldestNode: Node<K, V> | null = null;
  private newestNode: Node<K, V> | null = null;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`BoundedMap capacity must be at least 1, got ${capacity}`);
  }

  get size(): number {
    return this.nodes.size;
  }

  has(key: K): boolean {
    return this.nodes.has(key);
  }

  /** The value of `key`, without changing its place. */
  get(key: K): V | undefined {
    return this.nodes.get(key)?.value;
  }

  /**
   * Sets `key` (a new key becomes the most recent; a known one keeps its place) and returns the entry that
   * made room for it, if the map was full: the caller may have to wind it up (an evicted session ends).
   */
  set(key: K, value: V): [K, V] | undefined {
    const known = this.nodes.get(key);
    if (known) {
      known.value = value;
      return undefined;
    }
    const node: Node<K, V> = { key, value, older: this.newestNode, newer: null };
    if (this.newestNode) this.newestNode.newer = node;
    else this.oldestNode = node;
    this.newestNode = node;
    this.nodes.set(key, node);
    if (this.nodes.size <= this.capacity) return undefined;
    const evicted = this.oldestNode!;
    this.unlink(evicted);
    return [evicted.key, evicted.value];
  }

  /** Makes `key` the most recent; false when it is not there. */
  touch(key: K): boolean {
    const node = this.nodes.get(key);
    if (!node) return false;
    if (node === this.newestNode) return true;
    this.detach(node);
    node.older = this.newestNode;
    node.newer = null;
    this.newestNode!.newer = node;
    this.newestNode = node;
    return true;
  }

  delete(key: K): boolean {
    const node = this.nodes.get(key);
    if (!node) return false;
    this.unlink(node);
    return true;
  }

  /** The least recently touched entry. */
  oldest(): [K, V] | undefined {
    return this.oldestNode ? [this.oldestNode.key, this.oldestNode.value] : undefined;
  }

  /** Forgets the oldest entries until at most `size` remain. */
  trimTo(size: number): void {
    while (this.nodes.size > Math.max(0, size)) this.unlink(this.oldestNode!);
  }

  clear(): void {
    this.nodes.clear();
    this.oldestNode = null;
    this.newestNode = null;
  }

  /** Entries, least recently touched first. Deleting the entry being visited is safe. */
  *entries(): IterableIterator<[K, V]> {
    for (let n = this.oldestNode; n;) {
      const next = n.newer;
      if (this.nodes.get(n.key) === n) yield [n.key, n.value];
      n = next;
    }
  }

  *keys(): IterableIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  private unlink(node: Node<K, V>): void {
    this.detach(node);
    this.nodes.delete(node.key);
  }

  private detach(node: Node<K, V>): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldestNode = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newestNode = node.older;
  }
}
