/**
 * Backfill progress: which files existed at start (or appeared before the first idle moment), how many of
 * their bytes were read, events published, rate and ETA. Emitted at most every 250 ms while backfilling;
 * `backfill-done` once, the first time the collector is idle after start.
 */
export interface CollectorProgress {
  phase: 'backfill' | 'live';
  filesTotal: number;
  filesDone: number;
  bytesTotal: number;
  bytesRead: number;
  eventsPublished: number;
  eventsPerSecond: number;
  etaSeconds: number | null;
}

export interface ProgressEvents {
  progress: [CollectorProgress];
  'backfill-done': [CollectorProgress & { seconds: number }];
}

export interface ProgressSources {
  /** A tracked file (by inode key) has been read to its current end, or is gone. */
  isFileDone: (key: string) => boolean;
  eventsPublished: () => number;
}

export class BackfillProgress {
  private readonly files = new Set<string>();
  private bytesTotal = 0;
  private bytesRead = 0;
  private startMs = Date.now();
  private lastEmitAt = 0;
  /** The file counts at the end of the backfill (the per-file set is released then). */
  private final: { filesTotal: number; filesDone: number } | null = null;
  done = false;

  constructor(
    private readonly sources: ProgressSources,
    private readonly onProgress: (p: CollectorProgress) => void,
    private readonly onDone: (p: CollectorProgress & { seconds: number }) => void,
  ) {}

  begin(): void {
    this.startMs = Date.now();
  }

  /** A file first seen while backfilling, with `bytes` still to read. */
  track(key: string, bytes: number): void {
    if (this.done || this.files.has(key)) return;
    this.files.add(key);
    this.bytesTotal += Math.max(0, bytes);
  }

  read(key: string, bytes: number): void {
    if (!this.done && this.files.has(key)) this.bytesRead += bytes;
  }

  snapshot(): CollectorProgress {
    const secs = Math.max(0.001, (Date.now() - this.startMs) / 1000);
    const rate = this.bytesRead / secs;
    let filesDone = this.final?.filesDone ?? 0;
    if (!this.final) for (const key of this.files) if (this.sources.isFileDone(key)) filesDone += 1;
    const remaining = Math.max(0, this.bytesTotal - this.bytesRead);
    const events = this.sources.eventsPublished();
    return {
      phase: this.done ? 'live' : 'backfill',
      filesTotal: this.final?.filesTotal ?? this.files.size,
      filesDone,
      bytesTotal: this.bytesTotal,
      bytesRead: this.bytesRead,
      eventsPublished: events,
      eventsPerSecond: events / secs,
      etaSeconds: rate > 0 ? remaining / rate : null,
    };
  }

  maybeEmit(force: boolean): void {
    if (this.done) return;
    const now = Date.now();
    if (!force && now - this.lastEmitAt < 250) return;
    this.lastEmitAt = now;
    this.onProgress(this.snapshot());
  }

  finish(): void {
    this.done = true;
    const p = this.snapshot();
    this.final = { filesTotal: p.filesTotal, filesDone: p.filesDone };
    this.files.clear();
    this.onDone({ ...p, phase: 'live', seconds: (Date.now() - this.startMs) / 1000 });
  }
}
