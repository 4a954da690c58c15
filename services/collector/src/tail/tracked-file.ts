/** What the tailer remembers per inode and per content stream of it. */
import type { FileHandle } from 'node:fs/promises';
import type { TranscriptStream } from '@cctap/transcript';
import type { CheckpointEntry } from '../checkpoint/checkpoint-store.js';
import type { LineKeySet } from '../delivered/line-key-set.js';
import type { AckFrontier } from '../publish/ack-frontier.js';
import type { BatchCutter } from '../publish/batch-cutter.js';
import type { FileHead } from './file-identity.js';

/** One content stream of one file: the bytes between two identity changes. */
export interface Identity {
  /** The inode it was read from (`dev:ino`), and its numbers for the checkpoint. */
  key: string;
  dev: number;
  ino: number;
  fileId: string;
  head: FileHead;
  path: string;
  stream: TranscriptStream;
  cutter: BatchCutter;
  frontier: AckFrontier;
  /** Last size seen on disk (for the lag gauge). */
  size: number;
  /** The stream its delivered lines are recorded under (delivered/delivered-lines.ts). */
  lineStream: string;
  /** Lines not to publish again: delivered ones loaded from disk, and content-keyed lines read in this identity. */
  skip: LineKeySet;
  /** Times pinned to content-keyed lines without their own (delivered/delivered-lines.ts, "Pins"). */
  pins: Map<bigint, number>;
  /** The last bytes read (at most TAIL_BYTES, ending at readPos): an append leaves them in place, a rewrite rarely. */
  tail: Buffer;
  /** Finished: read to its end, no more reads; forgotten once all its batches are acked. */
  finished: boolean;
  /** Deleted from disk (forget its checkpoint) rather than renamed away (keep it: the new name resumes). */
  deleted: boolean;
  skipped: boolean;
}

/** One inode, reachable by one or more paths. */
export interface Tracked {
  key: string;
  dev: number;
  ino: number;
  /** Almost always one; a hard link adds another. (An array: a Set per file costs ~10x more, at 10k files.) */
  paths: string[];
  fh: FileHandle | null;
  /** Next byte to read. */
  readPos: number;
  id: Identity | null;
  /**
   * Resting (id null): the file was read to its end and everything is acknowledged, so its Identity (stream,
   * cutter, frontier) was dropped; this is the fileId of its checkpoint, which holds all a later change
   * needs. Null otherwise.
   */
  restingFileId: string | null;
  lastSize: number;
  lastMtimeMs: number;
  /** Last time it grew, changed, or had a watch event: what makes it "hot" for the 1 s sweep. */
  lastChangeAt: number;
  lastUsedAt: number;
}

/** `mtimeMs`: only when a stat showed the file exactly `offset` bytes long (see CheckpointEntry.mtimeMs). */
export function checkpointOf(id: Identity, offset: number, lastTs: string | null, mtimeMs?: number): CheckpointEntry {
  // Every field present (undefined is left out of the JSON): one shape for all entries, see compactEntry.
  return {
    path: id.path,
    dev: id.dev,
    ino: id.ino,
    headLength: id.head.length,
    headSha256: id.head.sha256,
    offset,
    lastTs,
    skipped: id.skipped ? true : undefined,
    mtimeMs,
  };
}

/** Nothing left to read or acknowledge: what lets a cold file close its descriptor and come to rest. */
export function isSettled(t: Tracked): boolean {
  const id = t.id;
  if (!id) return true;
  return (
    !id.finished && t.readPos >= t.lastSize && id.frontier.inFlight === 0 && id.frontier.frontier.offset === t.readPos
  );
}

/** Bytes on disk not yet acknowledged, summed over `files` (resting files have none). */
export function lagBytes(files: Iterable<Tracked>): number {
  let lag = 0;
  for (const t of files) if (t.id) lag += Math.max(0, Math.max(t.lastSize, t.id.size) - t.id.frontier.frontier.offset);
  return lag;
}
