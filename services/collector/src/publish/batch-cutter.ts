/**
 * Cuts the complete lines of one file into wire batches (packages/events batch.ts): contiguous byte ranges
 * [from, to), each encoded under MAX_BATCH_BYTES.
 *
 * Cut points are deterministic where that is cheap: a batch closes after `maxLines` lines or `maxBytes`
 * source bytes counted from its first line, so a restart from the same checkpoint over the same file
 * cuts the same ranges and JetStream's msg-id dedup drops the re-sends. The exception is `flush()` at the
 * end of what has been written so far (a live file): what follows depends on when the writer wrote, and
 * downstream dedup on event ids absorbs that (DESIGN section 5).
 *
 * The msg id also digests the line keys of the batch: the same range of a file rewritten in place (same
 * fileId) holds other lines, and must not be dropped as a duplicate of what the range held before.
 *
 * Each event is serialized once; the contract's batch writer (packages/events codecs/batch.ts) assembles the
 * batch from those strings, byte for byte what `encodeBatch` would produce (a unit test holds us to that).
 */
import { createHash, type Hash } from 'node:crypto';
import {
  BATCH_TAIL,
  MAX_BATCH_BYTES,
  batchHead,
  batchMsgId,
  writeBatch,
  type BatchSource,
  type CctapEvent,
} from '@cctap/events';

export interface LineResult {
  offset: number;
  end: number;
  events: CctapEvent[];
  malformed: boolean;
  /** The line's key (packages/transcript normalize/line-key.ts). A line with no events is one not published again. */
  key: string;
}

export interface CutBatch {
  from: number;
  to: number;
  msgId: string;
  payload: Uint8Array;
  lines: number;
  events: number;
  /** The last line timestamp at `to`, for the checkpoint. */
  lastTs: string | null;
  /** Keys of the lines whose events the batch carries: recorded as delivered once it is acknowledged. */
  lineKeys: string[];
}

export interface CutterOptions {
  host: string;
  path: string;
  fileId: string;
  /** Where the first line handed to `add` starts. */
  from: number;
  lastTs: string | null;
  maxLines?: number;
  maxBytes?: number;
  /** Encoded size limit; MAX_BATCH_BYTES by default (tests lower it). */
  maxEncodedBytes?: number;
}

const DEFAULT_BATCH_LINES = 512;
const DEFAULT_BATCH_SOURCE_BYTES = 512 * 1024;

export class BatchCutter {
  private readonly opts: Required<Omit<CutterOptions, 'lastTs' | 'from'>>;
  private from: number;
  private to: number;
  private parts: string[] = [];
  private partsBytes = 0;
  private lines = 0;
  private lastTs: string | null;
  private lineKeys: string[] = [];
  private digest: Hash | null = null;
  private readonly overhead: number;

  constructor(opts: CutterOptions) {
    this.opts = {
      host: opts.host,
      path: opts.path,
      fileId: opts.fileId,
      maxLines: opts.maxLines ?? DEFAULT_BATCH_LINES,
      maxBytes: opts.maxBytes ?? DEFAULT_BATCH_SOURCE_BYTES,
      maxEncodedBytes: opts.maxEncodedBytes ?? MAX_BATCH_BYTES,
    };
    this.from = opts.from;
    this.to = opts.from;
    this.lastTs = opts.lastTs;
    // Envelope size with the widest offsets a file can have.
    const widest = this.source(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    this.overhead = Buffer.byteLength(batchHead(this.opts.host, widest) + BATCH_TAIL);
  }

  get pendingLines(): number {
    return this.lines;
  }

  /** Where the next batch will start (= end of the last line added). */
  get position(): number {
    return this.to;
  }

  private source(from: number, to: number): BatchSource {
    return { path: this.opts.path, fileId: this.opts.fileId, from, to };
  }

  /** Adds one complete line; returns the batches this closed (zero, one, or two for an oversized line). */
  add(line: LineResult): CutBatch[] {
    const out: CutBatch[] = [];
    const strs = line.events.map((e) => JSON.stringify(e));
    let bytes = 0;
    for (const s of strs) bytes += Buffer.byteLength(s) + 1;
    if (this.lines > 0 && this.overhead + this.partsBytes + bytes > this.opts.maxEncodedBytes) out.push(this.cut());
    if (this.lines === 0) this.from = line.offset;
    for (const s of strs) this.parts.push(s);
    this.partsBytes += bytes;
    this.lines += 1;
    (this.digest ??= createHash('sha256')).update(`${line.key}\n`);
    if (line.events.length > 0) this.lineKeys.push(line.key);
    this.to = line.end;
    for (const e of line.events) if (e.tsSource === 'line') this.lastTs = e.ts;
    if (this.lines >= this.opts.maxLines || this.to - this.from >= this.opts.maxBytes) out.push(this.cut());
    return out;
  }

  /** Closes the pending lines into a batch (at the end of what is written so far); null when none. */
  flush(): CutBatch | null {
    return this.lines > 0 ? this.cut() : null;
  }

  private cut(): CutBatch {
    const payload = writeBatch(this.opts.host, this.source(this.from, this.to), this.parts);
    const b: CutBatch = {
      from: this.from,
      to: this.to,
      msgId: batchMsgId(this.opts.host, this.opts.fileId, this.from, this.to, this.digest!.digest('hex').slice(0, 32)),
      payload,
      lines: this.lines,
      events: this.parts.length,
      lastTs: this.lastTs,
      lineKeys: this.lineKeys,
    };
    this.lineKeys = [];
    this.digest = null;
    this.parts = [];
    this.partsBytes = 0;
    this.lines = 0;
    this.from = this.to;
    return b;
  }
}
