/**
 * File identity (DESIGN section 5): fileId(dev, ino, sha256 of a fixed head of the file).
 *
 * How many head bytes: `min(HEAD_BYTES, length of the first line including its newline)`.
 * - The head must never change while the file grows, or the id (and every event id) would change. A file
 *   only ever grows at its end, so the first complete line is immutable, and so are its first 1 KiB bytes.
 * - It must be a function of the content alone, never of when we looked: two collectors (or one collector
 *   that lost its state directory) that see the same file compute the same id.
 * - Short files are read (Filebeat's 1,024-byte minimum would hide a new session): one complete line is
 *   enough. A file with no newline and fewer than HEAD_BYTES bytes has nothing publishable yet, so having no
 *   identity for it costs nothing: we wait.
 * - The first line of a transcript carries a session id, a uuid or a timestamp, so two different files in
 *   one inode (reuse after deletion, copytruncate) practically never share it; dev + ino separate the rest.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { fileId } from '@cctap/events';

export const HEAD_BYTES = 1024;

export interface FileHead {
  /** How many bytes were hashed. */
  length: number;
  sha256: string;
}

/** The head of a file from its first bytes (at most HEAD_BYTES); null while it has no identity yet. */
export function headOf(bytes: Uint8Array): FileHead | null {
  const window = bytes.subarray(0, HEAD_BYTES);
  const nl = window.indexOf(0x0a);
  let length: number;
  if (nl >= 0) length = nl + 1;
  else if (window.length >= HEAD_BYTES) length = HEAD_BYTES;
  else return null;
  return { length, sha256: createHash('sha256').update(window.subarray(0, length)).digest('hex') };
}

export async function readHead(fh: FileHandle): Promise<FileHead | null> {
  const buf = Buffer.allocUnsafe(HEAD_BYTES);
  const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
  return headOf(buf.subarray(0, bytesRead));
}

/** True when the file still starts with the bytes `head` was computed from (false after truncate + rewrite). */
export async function headMatches(fh: FileHandle, head: FileHead): Promise<boolean> {
  const buf = Buffer.allocUnsafe(head.length);
  const { bytesRead } = await fh.read(buf, 0, head.length, 0);
  if (bytesRead < head.length) return false;
  return createHash('sha256').update(buf).digest('hex') === head.sha256;
}

export function identityOf(dev: number, ino: number, head: FileHead): string {
  return fileId(dev, ino, head.sha256);
}

/**
 * How many bytes before the read position must still be there for a change to count as an append. Claude Code
 * removes a tombstoned line by truncating at its start and writing the rest back (same inode, head unchanged):
 * once the file has grown past the old size again, neither the head nor the size tells; the bytes just
 * before where we stopped reading do (they moved up with the rest).
 */
export const TAIL_BYTES = 64;

/** The TAIL_BYTES (fewer near the start) before `pos`: where a resumed identity's tail check starts from. */
export async function readTail(fh: FileHandle, pos: number): Promise<Buffer> {
  const n = Math.min(TAIL_BYTES, pos);
  const buf = Buffer.alloc(n);
  const { bytesRead } = await fh.read(buf, 0, n, pos - n);
  return buf.subarray(0, bytesRead);
}

/**
 * Whether `offset` (a checkpoint) can still be where a line starts: the byte before it is a newline and the
 * byte at it opens a JSON object. A file rewritten in place and grown back past its checkpoint while nobody
 * watched (the collector was down, or the file was resting) has other bytes there, nearly always mid-line;
 * a false alarm only costs a re-read from byte 0, in which every delivered line is skipped.
 */
export async function lineStartsAt(fh: FileHandle, offset: number): Promise<boolean> {
  if (offset === 0) return true;
  const buf = Buffer.alloc(2);
  const { bytesRead } = await fh.read(buf, 0, 2, offset - 1);
  return bytesRead >= 1 && buf[0] === 0x0a && (bytesRead === 1 || buf[1] === 0x7b);
}

/** The last TAIL_BYTES of `prev` followed by `chunk`. */
export function nextTail(prev: Buffer, chunk: Uint8Array): Buffer {
  if (chunk.length >= TAIL_BYTES) return Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES));
  const joined = Buffer.concat([prev, chunk]);
  return Buffer.from(joined.subarray(Math.max(0, joined.length - TAIL_BYTES)));
}
