/**
 * Which lines of a session JetStream has acknowledged, on disk, so that a transcript Claude Code rewrote
 * (tombstone removed in place, compaction renamed over it, `/cd` copy to another folder, a changed device
 * number) can be read again from byte 0 without publishing a line twice: the re-read skips every line whose
 * key was delivered (loaded by tail/identify.ts, skipped by tail/read-loop.ts). Kept per transcript stream
 * (session id + agent id from the path, which `/cd` and compaction keep), in `<stateDir>/delivered/`:
 *
 *   <16 hex>.lines   uuid-keyed lines
 *   <16 hex>.meta    content-keyed lines (no uuid: metadata, lines that are not JSON)
 *   <16 hex>.pins    the time given to a line without its own timestamp (metadata, nearly all), when first read
 *
 * Format: a sequence of 8-byte records, each the first 8 bytes of sha256(line key) (line-key-set.ts),
 * appended when the batch holding the line is acknowledged, before the checkpoint moves past it: a crash at
 * any point leaves every checkpointed line recorded, so a SIGKILL between a rewrite and the next read still
 * skips all that was delivered (and at worst records a line whose checkpoint had not moved yet, which the
 * checkpoint then re-reads from the same unrewritten file and publishes again under the same event ids).
 * A session resumed at a checkpoint without records (state from before they existed) gets the lines before
 * its checkpoint recorded once, read from the file (record-acknowledged.ts).
 * A file whose length is not a multiple of 8 (a write cut short) is trimmed to the last whole record before
 * the next append, and the partial record is ignored when read.
 *
 * Pins: a line without a timestamp gets the last timestamp before it (carried), which depends on where it
 * sits; the store keys events on (host, toDate(ts), id), so the same line with another day would be a second
 * row. A pin (8-byte key hash + 8-byte epoch ms, written before the line is published) gives it the same
 * time at every later read: a line published but never acknowledged before a crash, then moved by a rewrite,
 * is published again under the same id and the same day.
 *
 * Why separate files: content-keyed lines are few (metadata), and a file read from its checkpoint loads just
 * `.meta` so an identical metadata line appended again (Claude Code does, every ~32 KiB and after
 * compaction) is not published again. `.lines` is read only when a file of a known stream is read from byte 0.
 *
 * Bounds: disk 8 bytes per delivered line; a stream stops being recorded at MAX_RECORDS (2M lines, 16 MiB;
 * past that a rewrite re-publishes, and the store's dedup on event ids absorbs it); files not written for
 * RETAIN_DAYS are removed at start (Claude Code's own retention deletes transcripts after 30 days by default).
 * Memory: nothing until loaded; a loaded set costs 8 bytes per record, for as long as that file is being read.
 * Descriptors: the 16 record files written last stay open for appending, until the collector stops.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { BoundedMap } from '@cctap/kit';
import { describeTranscriptPath } from '@cctap/transcript';
import { LineKeySet, lineKeyHash } from './line-key-set.js';

export const RECORD_BYTES = 8;
export const PIN_BYTES = 16;
const MAX_RECORDS = 2_000_000;
export const RETAIN_DAYS = 45;

export type RecordKind = 'lines' | 'meta' | 'pins';

/** The stream a transcript path belongs to: stable across `/cd`, compaction and copies (not the folder). */
export function streamOf(path: string): string {
  const info = describeTranscriptPath(path);
  return createHash('sha256')
    .update(`${info.sessionId}\u001f${info.agentId ?? ''}`)
    .digest('hex')
    .slice(0, 16);
}

/** Records -> sorted keys; a trailing partial record is ignored. */
export function decodeRecords(bytes: Uint8Array): BigUint64Array {
  const n = Math.floor(bytes.length / RECORD_BYTES);
  const out = new BigUint64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n * RECORD_BYTES);
  for (let i = 0; i < n; i++) out[i] = view.getBigUint64(i * RECORD_BYTES, false);
  return out.sort();
}

export function encodeRecords(hashes: readonly bigint[]): Buffer {
  const buf = Buffer.allocUnsafe(hashes.length * RECORD_BYTES);
  hashes.forEach((h, i) => buf.writeBigUInt64BE(h, i * RECORD_BYTES));
  return buf;
}

/** Record files kept open for appending: a backfill appends to the files of each session after every batch. */
const OPEN_APPENDERS = 16;

export class DeliveredLines {
  private readonly full = new Set<string>();
  /**
   * Append descriptors of the most recently written record files, each with its size: a file appended to
   * again soon (a session read in several batches) is not opened, checked and closed each time. The size is
   * checked once per open (a torn last record trimmed): this process is the files' only writer.
   */
  private readonly appenders = new BoundedMap<string, { fd: number; size: number }>(OPEN_APPENDERS);
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly onFull: (stream: string) => void = () => undefined,
  ) {}

  /** Closes the open record files; a write after this opens and closes its file each time. */
  close(): void {
    this.closed = true;
    for (const a of this.appenders.values()) closeSync(a.fd);
    this.appenders.clear();
  }

  private file(stream: string, kind: RecordKind): string {
    return join(this.dir, `${stream}.${kind}`);
  }

  /** Removes record files not written for RETAIN_DAYS (their transcripts are gone or long finished). */
  prune(now = Date.now()): number {
    // A kept descriptor would write on after its file is removed: prune lets go of them first.
    for (const file of this.appenders.keys()) this.release(file);
    let removed = 0;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return 0;
    }
    for (const n of names) {
      const p = join(this.dir, n);
      try {
        if (now - statSync(p).mtimeMs > RETAIN_DAYS * 86_400_000) {
          unlinkSync(p);
          removed += 1;
        }
      } catch {
        // gone meanwhile
      }
    }
    return removed;
  }

  /** True when anything of `stream` was ever published (what makes a read load its records). */
  known(stream: string): boolean {
    return (
      existsSync(this.file(stream, 'lines')) ||
      existsSync(this.file(stream, 'meta')) ||
      existsSync(this.file(stream, 'pins'))
    );
  }

  /** The delivered keys of `stream`: `.meta` only, or `.meta` and `.lines`. */
  load(stream: string, kinds: readonly RecordKind[]): LineKeySet {
    const parts: Uint8Array[] = [];
    for (const k of kinds) {
      try {
        parts.push(readFileSync(this.file(stream, k)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const all =
      parts.length === 1
        ? parts[0]!
        : Buffer.concat(parts.map((p) => p.subarray(0, p.length - (p.length % RECORD_BYTES))));
    return new LineKeySet(decodeRecords(all));
  }

  /** The pinned times of `stream` (key hash -> epoch ms); a trailing partial record is ignored. */
  loadPins(stream: string): Map<bigint, number> {
    const out = new Map<bigint, number>();
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.file(stream, 'pins'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw err;
    }
    for (let at = 0; at + PIN_BYTES <= bytes.length; at += PIN_BYTES) {
      const h = bytes.readBigUInt64BE(at);
      if (!out.has(h)) out.set(h, Number(bytes.readBigInt64BE(at + 8)));
    }
    return out;
  }

  /** Appends pins (before the lines they pin are published). */
  pin(stream: string, pins: ReadonlyArray<readonly [bigint, number]>): void {
    if (pins.length === 0) return;
    const buf = Buffer.allocUnsafe(pins.length * PIN_BYTES);
    pins.forEach(([h, ms], i) => {
      buf.writeBigUInt64BE(h, i * PIN_BYTES);
      buf.writeBigInt64BE(BigInt(ms), i * PIN_BYTES + 8);
    });
    this.write(stream, 'pins', buf, PIN_BYTES);
  }

  /** Appends the keys of an acknowledged batch (synchronously: the checkpoint is written after this). */
  record(stream: string, lineKeys: readonly string[]): void {
    if (lineKeys.length === 0) return;
    const lines: bigint[] = [];
    const meta: bigint[] = [];
    for (const k of lineKeys) (k.startsWith('u:') ? lines : meta).push(lineKeyHash(k));
    if (lines.length > 0) this.write(stream, 'lines', encodeRecords(lines), RECORD_BYTES);
    if (meta.length > 0) this.write(stream, 'meta', encodeRecords(meta), RECORD_BYTES);
  }

  private write(stream: string, kind: RecordKind, records: Buffer, recordBytes: number): void {
    const file = this.file(stream, kind);
    if (this.full.has(file)) return;
    const a = this.appender(file, recordBytes);
    try {
      if ((a.size + records.length) / recordBytes > MAX_RECORDS) {
        this.full.add(file);
        this.onFull(stream);
        this.release(file);
        return;
      }
      writeSync(a.fd, records);
      a.size += records.length;
    } catch (err) {
      this.release(file);
      throw err;
    }
    if (this.closed) this.release(file);
  }

  private appender(file: string, recordBytes: number): { fd: number; size: number } {
    const kept = this.appenders.get(file);
    if (kept) {
      this.appenders.touch(file);
      return kept;
    }
    mkdirSync(this.dir, { recursive: true });
    const fd = openSync(file, 'a', 0o600);
    let size: number;
    try {
      size = fstatSync(fd).size;
      if (size % recordBytes !== 0) ftruncateSync(fd, (size -= size % recordBytes));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    const a = { fd, size };
    const evicted = this.appenders.set(file, a);
    if (evicted) closeSync(evicted[1].fd);
    return a;
  }

  private release(file: string): void {
    const a = this.appenders.get(file);
    if (!a) return;
    this.appenders.delete(file);
    closeSync(a.fd);
  }
}
