/**
 * One consumer's flushes: at most one insert in flight plus one flush being filled.
 *
 *   idle     -> a fetch arrives: it becomes a flush and starts at once (no added latency)
 *   running  -> fetches that arrive meanwhile (the sink runs several fetch loops per consumer) join the
 *               flush being filled; their decoding already happened on arrival, overlapping the insert
 *   done     -> the filled flush starts, or the lane goes idle
 * Every fetch's promise settles with the flush that carried it, so its messages are acked only after their
 * rows are in the store. Memory is bounded by the fetch loops: each waits for its flush before fetching again.
 */
export class FlushLane<T> {
  private filling: { parts: T[]; done: Promise<void>; resolve: () => void; reject: (err: unknown) => void } | null =
    null;
  private running = false;

  constructor(private readonly run: (parts: T[]) => Promise<void>) {}

  /** Adds one fetch's work; resolves (or rejects) when the flush that contains it has finished. */
  add(part: T): Promise<void> {
    if (!this.filling) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.filling = { parts: [], done, resolve, reject };
    }
    this.filling.parts.push(part);
    const done = this.filling.done;
    if (!this.running) void this.pump();
    return done;
  }

  private async pump(): Promise<void> {
    this.running = true;
    while (this.filling) {
      const flush = this.filling;
      this.filling = null;
      try {
        await this.run(flush.parts);
        flush.resolve();
      } catch (err) {
        flush.reject(err);
      }
    }
    this.running = false;
  }
}
