/**
 * Where the read of a newly identified file starts: the pure part of FileTailer.identify, given what was
 * found on disk (its checkpoint entry, whether that offset still starts a line) and the `--since` cut-off.
 *
 *   checkpoint within the file, at a line start   resumed at its offset (its lastTs carries on)
 *   checkpoint within the file, not at a line start   rewritten: byte 0, the entry dropped (the file was
 *                                                 rewritten in place and grew back past it while unwatched)
 *   checkpoint beyond the file's end              new: byte 0 (truncated; the tailer drops the old entry)
 *   no checkpoint, mtime before --since           skipped: starts at the end, only later lines are read
 *   no checkpoint                                 new: byte 0
 *
 * A read from byte 0 publishes only the lines of the session not delivered yet (delivered/delivered-lines.ts).
 */
import type { CheckpointEntry } from '../checkpoint/checkpoint-store.js';

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
