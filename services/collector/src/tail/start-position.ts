/**
 * Where reading a file starts, and when what was read no longer holds: every decision of the tailer that
 * turns "what is on disk" into "read from here", as pure functions of what was found (no file system). The
 * tailer gathers the facts (stat, head hash, the bytes around a checkpoint) and acts on the answer.
 *
 * A file looked at again, with its identity in memory (lookAgain):
 *   shorter than the read position              truncated: a new identity from byte 0
 *   the same size, but its mtime moved          rewritten: not an append (a rewrite to the same size, or a
 *                                               touch); read again from byte 0 rather than guess which bytes
 *   longer, and its first line changed          rewritten (the head check; needsHeadCheck says when to read it)
 *   longer, same first line                     an append: read on from the read position
 *
 * A resting file (no identity in memory, only its checkpoint entry) identified again (wakeFromRest):
 *   shorter than its checkpoint                 truncated: its entry is dropped, byte 0
 *   another first line                          rewritten: its entry is dropped, byte 0
 *   otherwise                                   identified on, the checkpoint decides below
 *
 * A newly identified file and its checkpoint entry, if any (decideStart):
 *   checkpoint within the file, at a line start      resumed at its offset (its lastTs carries on)
 *   checkpoint within the file, not at a line start  rewritten: byte 0, the entry dropped (the file was
 *                                                    rewritten in place and grew back past it while unwatched)
 *   checkpoint beyond the file's end                 new: byte 0 (truncated while unwatched)
 *   no checkpoint, mtime before --since              skipped: starts at the end, only later lines are read
 *   no checkpoint                                    new: byte 0
 * A rotation (the path names another inode) finishes the old inode and identifies the new one: its fileId
 * has no checkpoint, so it is new; a rename keeps the inode and head, so its checkpoint resumes it.
 *
 * At start-up, before anything is opened (restsUnchanged, unreadAtStart): a file whose checkpoint has its
 * dev, inode, size (= offset) and mtime rests unopened; any other is queued, and the backfill expects what
 * lies past the checkpoint (all of it when the checkpoint is beyond its end).
 *
 * A read from byte 0 publishes only the lines of the session not delivered yet (delivered/delivered-lines.ts).
 */
import type { CheckpointEntry } from '../checkpoint/checkpoint-store.js';

export type Rewrite = 'truncated' | 'rewritten';

export interface Look {
  size: number;
  /** Next byte to read of the identity in memory (or the checkpoint offset of a resting file). */
  readPos: number;
  /** Size and mtime are those of the previous look. */
  unchanged: boolean;
}

/** Only a file that grew needs its first line compared (one read of its head). */
export function needsHeadCheck(look: Look): boolean {
  return look.size > look.readPos;
}

/** `headMatches`: the result of the head check, when needsHeadCheck asked for one. */
export function lookAgain(look: Look & { headMatches?: boolean }): Rewrite | null {
  if (look.size < look.readPos) return 'truncated';
  if (look.size === look.readPos && !look.unchanged) return 'rewritten';
  if (look.size > look.readPos && look.headMatches === false) return 'rewritten';
  return null;
}

export interface Wake {
  size: number;
  /** The resting file's checkpoint offset. */
  offset: number;
  /** The fileId of its checkpoint entry. */
  restingFileId: string;
  /** The fileId its head gives now; null while it has no complete first line. */
  fileId: string | null;
}

export function wakeFromRest(w: Wake): Rewrite | null {
  if (w.size < w.offset) return 'truncated';
  if (w.fileId !== null && w.fileId !== w.restingFileId) return 'rewritten';
  return null;
}

export interface StartInput {
  cp: CheckpointEntry | undefined;
  size: number;
  mtimeMs: number;
  since: Date | null;
  /** Whether the checkpoint's offset still starts a line (file-identity.ts lineStartsAt); true without one. */
  checkpointAtLineStart: boolean;
}

export interface StartDecision {
  start: number;
  lastTs: string | null;
  reason: 'new' | 'resumed' | 'skipped' | 'rewritten';
  skipped: boolean;
  /** The checkpoint entry names bytes that are no longer there: delete it. */
  dropCheckpoint: boolean;
}

/** True when `start` must look at the bytes around the checkpoint (lineStartsAt) first. */
export function needsLineStartCheck(cp: CheckpointEntry | undefined, size: number): boolean {
  return cp !== undefined && cp.offset > 0 && cp.offset <= size;
}

export function decideStart(i: StartInput): StartDecision {
  const { cp } = i;
  if (cp && cp.offset <= i.size) {
    if (!i.checkpointAtLineStart)
      return { start: 0, lastTs: null, reason: 'rewritten', skipped: false, dropCheckpoint: true };
    return {
      start: cp.offset,
      lastTs: cp.lastTs,
      reason: 'resumed',
      skipped: cp.skipped ?? false,
      dropCheckpoint: false,
    };
  }
  if (!cp && i.since && i.mtimeMs < i.since.getTime())
    return { start: i.size, lastTs: null, reason: 'skipped', skipped: true, dropCheckpoint: false };
  return { start: 0, lastTs: null, reason: 'new', skipped: false, dropCheckpoint: false };
}

export interface Listed {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Start-up: unchanged since everything in it was acknowledged, so it rests unopened. */
export function restsUnchanged(cp: CheckpointEntry, f: Listed): boolean {
  return (
    cp.dev === f.dev && cp.ino === f.ino && cp.mtimeMs !== undefined && cp.mtimeMs === f.mtimeMs && cp.offset === f.size
  );
}

/** Start-up: what the backfill expects to read of a queued file (the tailer's figure replaces it later). */
export function unreadAtStart(cp: CheckpointEntry | undefined, size: number): number {
  return size - (cp && cp.offset <= size ? cp.offset : 0);
}
