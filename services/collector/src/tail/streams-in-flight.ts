/**
 * Batches sent and not yet settled, per session stream (delivered/delivered-lines.ts streamOf). A read from
 * byte 0 of a stream waits while it has any: its delivered-line records are complete only once they are
 * acknowledged, and a file compacted or rewritten right after its last lines were sent would otherwise
 * publish those lines twice.
 */
export class StreamsInFlight {
  private readonly counts = new Map<string, number>();

  has(stream: string): boolean {
    return this.counts.has(stream);
  }

  busy(stream: string): void {
    this.counts.set(stream, (this.counts.get(stream) ?? 0) + 1);
  }

  idle(stream: string): void {
    const n = (this.counts.get(stream) ?? 1) - 1;
    if (n > 0) this.counts.set(stream, n);
    else this.counts.delete(stream);
  }
}
