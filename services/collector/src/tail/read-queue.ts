/**
 * The paths waiting for a look, served one at a time by a single pump (so reads of one file never
 * interleave and the in-flight window applies backpressure to exactly one reader). Marking a path that is
 * already queued is free; the pump starts on the first mark and ends when the queue is empty.
 */
import { EventEmitter } from 'node:events';

export interface ReadQueueEvents {
  /** Looking at `path` failed unexpectedly (it is looked at again when it is next marked). */
  failed: [string, unknown];
  /** The queue ran empty (a good moment for housekeeping and the idle check). */
  drained: [];
}

/** What serves a queued path: the tailer. */
export interface PathReader {
  service(path: string): Promise<void>;
}

export class ReadQueue {
  readonly events = new EventEmitter<ReadQueueEvents>();
  private readonly dirty = new Set<string>();
  private pumping: Promise<void> | null = null;

  constructor(
    private readonly reader: PathReader,
    /** Aborted when the collector stops: nothing new is queued, the pump ends after the current look. */
    private readonly stopping: AbortSignal,
  ) {}

  /** Nothing queued and nothing being read. */
  get empty(): boolean {
    return this.dirty.size === 0 && this.pumping === null;
  }

  /** The running pump, to await in stop(). */
  get running(): Promise<void> | null {
    return this.pumping;
  }

  mark(path: string): void {
    if (this.stopping.aborted) return;
    this.dirty.add(path);
    if (!this.pumping) this.pumping = this.pump();
  }

  private async pump(): Promise<void> {
    try {
      while (this.dirty.size > 0 && !this.stopping.aborted) {
        const path = this.dirty.values().next().value!;
        this.dirty.delete(path);
        try {
          await this.reader.service(path);
        } catch (err) {
          this.events.emit('failed', path, err);
        }
      }
    } finally {
      this.pumping = null;
      this.events.emit('drained');
    }
  }
}
