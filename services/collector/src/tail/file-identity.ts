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
