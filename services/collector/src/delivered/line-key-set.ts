/**
 * A set of 64-bit line-key hashes: what was delivered (loaded sorted from disk, binary-searched, 8 bytes per
 * key) plus what this read added (a Set, capped: past the cap a repeat is published again and the store's
 * dedup on event ids absorbs it).
 *
 * 64 bits: the chance that one of n delivered lines of a session shares a hash with a new line is about
 * n² / 2⁶⁵ (2·10⁻⁸ at the 2M-line cap of a session's record file), and the cost of a collision is one line not
 * published.
 */
import { hash } from 'node:crypto';

/**
 * First 8 bytes of sha256(lineKey), big-endian: the on-disk record (see delivered-lines.ts). Read from the hex
 * digest: a one-shot hash to a string is several times faster than a Hash object and a Buffer, twice per line.
 */
export function lineKeyHash(lineKey: string): bigint {
  return BigInt(`0x${hash('sha256', lineKey, 'hex').slice(0, 16)}`);
}

const MAX_ADDED = 100_000;

export class LineKeySet {
  private readonly added = new Set<bigint>();

  /** `sorted`: ascending (a BigUint64Array sorts numerically). */
  constructor(private readonly sorted: BigUint64Array = new BigUint64Array(0)) {}

  get size(): number {
    return this.sorted.length + this.added.size;
  }

  has(h: bigint): boolean {
    if (this.added.has(h)) return true;
    const a = this.sorted;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid]!;
      if (v === h) return true;
      if (v < h) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  add(h: bigint): void {
    if (this.added.size < MAX_ADDED) this.added.add(h);
  }
}
