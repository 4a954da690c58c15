/**
 * Backfill progress: which files existed at start (or appeared before the first idle moment), how many of
 * their bytes were read, events published, rate and ETA. Emitted at most every 250 ms while backfilling;
 * `backfill-done` once, the first time the collector is idle after start.
 *
 * The total is known before the first byte is read: the start-up listing estimates what each file still
 * holds (its size less its checkpoint offset, from one stat), and the tailer replaces that estimate with
 * the exact figure when it identifies the file (a new identity is read from byte 0, a --since file not at
 * all). So a bar drawn against it moves from 0 to 100% once, instead of chasing a total that grows as files
 * are opened.
 */
import { EventEmitter } from 'node:events';

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
  eventsPublished: () => number;
}

interface FileBytes {
  /** Bytes to read in this backfill. */
  bytes: number;
  /** false: the listing's estimate, which the tailer's figure replaces. */
  exact: boolean;
  read: number;
}

export class BackfillProgress {
  readonly events = new EventEmitter<ProgressEvents>();
  private readonly files = new Map<string, FileBytes>();
  private bytesTotal = 0;
  private bytesRead = 0;
  private startMs = Date.now();
  private lastEmitAt = 0;
  /** The file counts at the end of the backfill (the per-file map is released then). */
  private final: { filesTotal: number; filesDone: number } | null = null;
  done = false;

  constructor(private readonly sources: ProgressSources) {}

  begin(): void {
    this.startMs = Date.now();
  }

  /** The start-up listing: a file that holds about `bytes` not yet read (until the tailer knows better). */
  expect(key: string, bytes: number): void {
    if (this.done || this.files.has(key)) return;
    this.files.set(key, { bytes: Math.max(0, bytes), exact: false, read: 0 });
    this.bytesTotal += Math.max(0, bytes);
  }

  /** The tailer's figure for a file, from where it starts reading it; only the first one counts. */
  track(key: string, bytes: number): void {
    if (this.done) return;
    const f = this.files.get(key);
    if (f?.exact) return;
    const b = Math.max(0, bytes);
    this.bytesTotal += b - (f?.bytes ?? 0);
    this.files.set(key, { bytes: b, exact: true, read: f?.read ?? 0 });
  }

  read(key: string, bytes: number): void {
    const f = this.done ? undefined : this.files.get(key);
    if (!f) return;
    f.read += bytes;
    this.bytesRead += bytes;
  }

  snapshot(): CollectorProgress {
    const secs = Math.max(0.001, (Date.now() - this.startMs) / 1000);
    const rate = this.bytesRead / secs;
    let filesDone = this.final?.filesDone ?? 0;
    // Done: read as far as the tailer said it would be (an estimate only means it was not looked at yet).
    if (!this.final) for (const f of this.files.values()) if (f.exact && f.read >= f.bytes) filesDone += 1;
    // A file that grew while it was read gives more bytes than were expected of it.
    const bytesTotal = Math.max(this.bytesTotal, this.bytesRead);
    const remaining = bytesTotal - this.bytesRead;
    const events = this.sources.eventsPublished();
    return {
      phase: this.done ? 'live' : 'backfill',
      filesTotal: this.final?.filesTotal ?? this.files.size,
      filesDone,
      bytesTotal,
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
    this.events.emit('progress', this.snapshot());
  }

  finish(): void {
    this.done = true;
    const p = this.snapshot();
    this.final = { filesTotal: p.filesTotal, filesDone: p.filesDone };
    this.files.clear();
    this.events.emit('backfill-done', { ...p, phase: 'live', seconds: (Date.now() - this.startMs) / 1000 });
  }
}
