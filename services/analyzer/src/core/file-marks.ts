/**
 * Copy detection per transcript file: the line offset applied last, the ids of that line's events applied
 * so far, and the latest line time applied from the file (absent in snapshots written before it was kept).
 * Lines below the mark that are not newer, or those ids again, are copies (a collector re-reading after a
 * crash, a republish): skipped, even after a restart, when the in-memory recent-id set is empty.
 */
import type { CctapEvent } from '@cctap/events';

export type FileMarks = Map<string, { offset: number; ids: string[]; ts?: number }>;

/**
 * A copy of an event already applied: a line below the mark that is not newer than every line applied from
 * the file. Newer means Claude Code rewrote the file (a tombstone removed in place, compaction: later lines
 * moved to lower offsets) and wrote this line since; it is new, and the id check (the same line has the same
 * id wherever it sits) catches real copies.
 */
export function copiedLine(marks: FileMarks, ev: CctapEvent): boolean {
  const mark = marks.get(ev.source.path);
  if (!mark) return false;
  if (ev.source.offset === mark.offset) return mark.ids.includes(ev.id);
  if (ev.source.offset > mark.offset) return false;
  const ts = Date.parse(ev.ts);
  return mark.ts === undefined || !(ts > mark.ts);
}

/** Records an applied event. Below the mark yet applied: the file was rewritten, the mark follows the new layout. */
export function markApplied(marks: FileMarks, ev: CctapEvent, ts: number): void {
  const mark = marks.get(ev.source.path);
  if (!mark || mark.offset !== ev.source.offset)
    marks.set(ev.source.path, { offset: ev.source.offset, ids: [ev.id], ts: Math.max(ts, mark?.ts ?? ts) });
  else {
    mark.ids.push(ev.id);
    if (mark.ts === undefined || ts > mark.ts) mark.ts = ts;
  }
}
