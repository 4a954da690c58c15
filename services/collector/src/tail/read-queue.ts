/**
 * The paths waiting for a look, served one at a time by a single pump (so reads of one file never
 * interleave and the in-flight window applies backpressure to exactly one reader). Marking a path that is
 * already queued is free; the pump starts on the first mark and ends when the queue is empty.
 */
export interface ReadQueueOptions {
  serve: (path: string) => Promise<void>;
  onError: (path: string, err: unknown) => void;
  /** The queue ran empty (a good moment for housekeeping and the idle check). */
  onDrained: () => void;
  isStopping: () => boolean;
}

export class ReadQueue {
  private readonly dirty = new Set<string>();
  private pumping: Promise<void> | null = null;

  constructor(private readonly o: ReadQueueOptions) {}

  /** Nothing queued and nothing being read. */
  get empty(): boolean {
    return this.dirty.size === 0 && this.pumping === null;
  }

  /** The running pump, to await in stop(). */
  get running(): Promise<void> | null {
    return this.pumping;
  }

  mark(path: string): void {
    if (this.o.isStopping()) return;
    this.dirty.add(path);
    if (!this.pumping) this.pumping = this.pump();
  }

  private async pump(): Promise<void> {
    try {
      while (this.dirty.size > 0 && !this.o.isStopping()) {
        const path = this.dirty.values().next().value!;
        this.dirty.delete(path);
        try {
          await this.o.serve(path);
        } catch (err) {
          this.o.onError(path, err);
        }
      }
    } finally {
      this.pumping = null;
      this.o.onDrained();
    }
  }
}
