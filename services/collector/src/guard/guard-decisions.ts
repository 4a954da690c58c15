/**
 * The guard's decisions file as a source: `cctap guard` appends one JSON line per decision (no network on
 * the decision path) and this publishes each new line as a `guard` event on the host's raw subject, like a
 * transcript line. It is one small append-only file per machine, so it gets a reader of its own instead of
 * the transcript tailer's machinery:
 *
 *   drain()  reads from the checkpoint to the last complete line, publishes the events in batches, waits
 *            for every ack, then moves the checkpoint (at-least-once: a crash before the checkpoint is
 *            written sends the lines again, and their ids, a hash of host and line, make them duplicates).
 *   the file shrank, or another inode holds its name (rotated, deleted and re-created): read from byte 0.
 *
 * The collector drains it at start, at each sweep while it watches, and before it reports idle (so
 * `--once` publishes every decision on disk). Lines that are not decisions are counted and skipped.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBatch, guardMsgId, SCHEMA_VERSION, type Batch, type CctapEvent, type PrivacyMode } from '@cctap/events';
import { SerialQueue, type Bus, type Logger } from '@cctap/kit';
import { guardDecisionEvent } from '@cctap/transcript';
import { writeDurably } from '../checkpoint/durable-write.js';

export interface GuardDecisionsOptions {
  /** The decisions file (`cctap guard --decisions`); it need not exist yet. */
  file: string;
  bus: Pick<Bus, 'publish'>;
  /** The host's raw subject. */
  subject: string;
  host: string;
  user: string;
  privacy: PrivacyMode;
  stringCap?: number | undefined;
  labels?: Record<string, string> | undefined;
  /** The collector's state directory: the checkpoint is `guard-decisions.json` in it. */
  stateDir: string;
  logger: Logger;
}

interface Checkpoint {
  dev: number;
  ino: number;
  offset: number;
}

/** Events per published batch: decisions are small, and a batch is far under the size limit. */
const BATCH_EVENTS = 200;
/** Bytes read per drain at most; the next drain goes on (a year of decisions is not read at once). */
const MAX_READ = 8 * 1024 * 1024;
const GUARD_CHECKPOINT = 'guard-decisions.json';

export class GuardDecisions {
  private readonly queue = new SerialQueue();
  private readonly checkpointFile: string;

  constructor(private readonly o: GuardDecisionsOptions) {
    this.checkpointFile = join(o.stateDir, GUARD_CHECKPOINT);
  }

  /** Forgets where it was (a reset, or another destination): every decision on disk is sent again. */
  forget(): void {
    rmSync(this.checkpointFile, { force: true });
  }

  /** Resolves when the drain under way (if any) is over. */
  settled(): Promise<void> {
    return this.queue.idle();
  }

  /** Publishes every complete line written so far (one drain at a time; a failed publish rejects). */
  drain(): Promise<void> {
    return this.queue.run(async () => {
      for (;;) if (!(await this.step())) return;
    });
  }

  private loadCheckpoint(): Checkpoint | null {
    try {
      const c = JSON.parse(readFileSync(this.checkpointFile, 'utf8')) as Checkpoint;
      return Number.isInteger(c.offset) && c.offset >= 0 ? c : null;
    } catch {
      return null;
    }
  }

  /** One read of up to MAX_READ bytes; true when there may be more. */
  private async step(): Promise<boolean> {
    const { file } = this.o;
    if (!existsSync(file)) return false;
    const st = statSync(file);
    const cp = this.loadCheckpoint();
    const same = cp !== null && cp.dev === st.dev && cp.ino === st.ino && cp.offset <= st.size;
    const from = same ? cp.offset : 0;
    if (from >= st.size) return false;
    const length = Math.min(st.size - from, MAX_READ);
    const buf = Buffer.allocUnsafe(length);
    const fd = openSync(file, 'r');
    let read: number;
    try {
      read = readSync(fd, buf, 0, length, from);
    } finally {
      closeSync(fd);
    }
    const end = buf.subarray(0, read).lastIndexOf(0x0a);
    if (end === -1) {
      // A line longer than a read cannot be a decision (they are a few hundred bytes): step over it.
      if (read === MAX_READ) this.save(st, from + read);
      return read === MAX_READ;
    }
    const events: CctapEvent[] = [];
    let at = 0;
    while (at <= end) {
      const nl = buf.indexOf(0x0a, at);
      const line = buf.subarray(at, nl).toString('utf8');
      const offset = from + at;
      at = nl + 1;
      if (line.trim() === '') continue;
      const r = guardDecisionEvent(line, { ...this.context(), offset });
      if ('event' in r) events.push(r.event);
      else {
        this.o.logger.warn('skipped a line of the guard decisions file that is no decision', {
          file,
          offset,
          reason: r.failure,
        });
      }
    }
    for (let i = 0; i < events.length; i += BATCH_EVENTS)
      await this.publish(events.slice(i, i + BATCH_EVENTS), from, from + end + 1);
    this.save(st, from + end + 1);
    return from + end + 1 < st.size && read === MAX_READ;
  }

  private context() {
    const { host, user, privacy, stringCap, labels, file } = this.o;
    return {
      host,
      user,
      privacy,
      path: file,
      ...(stringCap !== undefined ? { stringCap } : {}),
      ...(labels ? { labels } : {}),
    };
  }

  private async publish(events: CctapEvent[], from: number, to: number): Promise<void> {
    const batch: Batch = {
      v: SCHEMA_VERSION,
      host: this.o.host,
      source: { path: this.o.file, fileId: 'guard', from, to },
      events,
    };
    await this.o.bus.publish(this.o.subject, encodeBatch(batch), {
      msgId: guardMsgId(events[0]!.id, events[events.length - 1]!.id),
    });
  }

  private save(st: { dev: number; ino: number }, offset: number): void {
    const body = JSON.stringify({ dev: st.dev, ino: st.ino, offset } satisfies Checkpoint);
    writeDurably(this.o.stateDir, this.checkpointFile, body);
  }
}
