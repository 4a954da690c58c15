/**
 * The per-file contiguous acknowledgement frontier. Batches of one file are published concurrently and
 * their PubAcks may arrive in any order; the checkpoint may only move to the end of the longest prefix of
 * batches that are all acknowledged, so a restart never skips a batch that was still in flight.
 */
export interface Frontier {
  offset: number;
  lastTs: string | null;
}

interface Pending {
  from: number;
  to: number;
  lastTs: string | null;
  acked: boolean;
}

export class AckFrontier {
  private readonly queue: Pending[] = [];
  private head = 0;
  private current: Frontier;

  constructor(start: Frontier) {
    this.current = { ...start };
  }

  get frontier(): Frontier {
    return this.current;
  }

  get inFlight(): number {
    return this.queue.length - this.head;
  }

  /** Registers a batch in file order; `from` must equal the end of the previous one. */
  sent(from: number, to: number, lastTs: string | null): void {
    const prevEnd = this.inFlight > 0 ? this.queue[this.queue.length - 1]!.to : this.current.offset;
    if (from !== prevEnd) throw new Error(`batch [${from}, ${to}) does not continue at ${prevEnd}`);
    this.queue.push({ from, to, lastTs, acked: false });
  }

  /** Marks [from, to) acknowledged; returns true when the frontier moved. */
  acked(from: number, to: number): boolean {
    let found = false;
    for (let i = this.head; i < this.queue.length; i++) {
      const p = this.queue[i]!;
      if (p.from === from && p.to === to) {
        p.acked = true;
        found = true;
        break;
      }
    }
    if (!found) return false;
    let moved = false;
    while (this.head < this.queue.length && this.queue[this.head]!.acked) {
      const p = this.queue[this.head]!;
      this.current = { offset: p.to, lastTs: p.lastTs };
      this.head += 1;
      moved = true;
    }
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return moved;
  }
}
