/**
 * Chunks of one transcript file -> events of its complete lines.
 *
 * State machine (per file):
 *   offset   absolute byte offset just after the last complete line returned (what a checkpoint stores)
 *   pending  bytes after `offset` that do not end in a newline yet (a line still being written)
 *   lastTs   timestamp of the last line that had one, in file order (checkpointed with `offset`)
 *
 *   push(chunk): pending + chunk is split at every '\n'; each complete line is normalized and returned with
 *   its [offset, end) range, `offset` advances to the end of the last complete line, the remainder becomes
 *   `pending`. Chunk boundaries never change the result: the same file split anywhere yields the same lines.
 *
 * Lines without a timestamp get `lastTs` (tsSource 'carried'), or the file's time before any timestamped
 * line (tsSource 'file'). Restarting from a checkpoint (startOffset, lastTs) reproduces the same events.
 */
import type { CctapEvent } from '@cctap/events';
import type { FileContext, LineContext } from '../context.js';
import { lineKeyOf } from '../normalize/line-key.js';
import { malformedEvent } from '../normalize/malformed-event.js';
import { normalizeLine } from '../normalize/normalize-line.js';

const NEWLINE = 0x0a;

export interface NormalizedLine {
  offset: number;
  /** Offset after the newline. */
  end: number;
  events: CctapEvent[];
  malformed: boolean;
  warnings: string[];
  /** What the line is (normalize/line-key.ts): the same line read again from a rewritten file has the same key. */
  key: string;
}

export interface TranscriptStreamOptions extends FileContext {
  startOffset: number;
  lastTs: string | null;
  /** ISO time used for lines before the first timestamped one (e.g. the file's mtime or birth time). */
  fileTs: string;
}

export class TranscriptStream {
  private readonly ctx: FileContext;
  private readonly fileTs: string;
  private _offset: number;
  private _lastTs: string | null;
  private parts: Uint8Array[] = [];
  private partBytes = 0;

  constructor(opts: TranscriptStreamOptions) {
    const { startOffset, lastTs, fileTs, ...ctx } = opts;
    this.ctx = ctx;
    this.fileTs = fileTs;
    this._offset = startOffset;
    this._lastTs = lastTs;
  }

  get offset(): number {
    return this._offset;
  }

  get pending(): number {
    return this.partBytes;
  }

  get lastTs(): string | null {
    return this._lastTs;
  }

  push(chunk: Uint8Array): NormalizedLine[] {
    const out: NormalizedLine[] = [];
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    if (this.partBytes > 0) {
      if (nl < 0) {
        this.keep(chunk);
        return out;
      }
      this.parts.push(chunk.subarray(0, nl));
      const line = concat(this.parts, this.partBytes + nl);
      this.parts = [];
      this.partBytes = 0;
      this.line(line, out);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    while (nl >= 0) {
      this.line(chunk.subarray(start, nl), out);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
    return out;
  }

  /** Copies: the caller may reuse its read buffer after push returns. */
  private keep(bytes: Uint8Array): void {
    // Copy: the caller may reuse its read buffer, and Buffer#slice returns a view, not a copy.
    this.parts.push(Uint8Array.prototype.slice.call(bytes));
    this.partBytes += bytes.length;
  }

  private line(bytes: Uint8Array, out: NormalizedLine[]): void {
    const offset = this._offset;
    const end = offset + bytes.length + 1;
    const c = this.ctx;
    // A literal with every field keeps one object shape for all lines (spreads made the hot path megamorphic).
    const ctx: LineContext = {
      host: c.host,
      user: c.user,
      path: c.path,
      fileId: c.fileId,
      privacy: c.privacy,
      stringCap: c.stringCap,
      labels: c.labels,
      spawnDepth: c.spawnDepth,
      offset,
      fallbackTs: this._lastTs ?? this.fileTs,
      fallbackTsSource: this._lastTs ? 'carried' : 'file',
    };
    const r = normalizeLine(bytes, ctx);
    if ('failure' in r) {
      const key = lineKeyOf(null, bytes);
      out.push({
        offset,
        end,
        events: [malformedEvent(bytes, r.failure, ctx, key)],
        malformed: true,
        warnings: [],
        key,
      });
    } else {
      if (r.lineTs) this._lastTs = r.lineTs;
      out.push({ offset, end, events: r.events, malformed: false, warnings: r.warnings, key: r.lineKey });
    }
    this._offset = end;
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
