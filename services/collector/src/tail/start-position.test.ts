/**
 * Every "where does reading start" decision, without a file system: each table row is one situation the
 * tailer meets on disk (tail/file-tailer.ts gathers the same facts with stat and reads).
 */
import { describe, expect, it } from 'vitest';
import type { CheckpointEntry } from '../checkpoint/checkpoint-store.js';
import {
  decideStart,
  lookAgain,
  needsHeadCheck,
  needsLineStartCheck,
  restsUnchanged,
  unreadAtStart,
  wakeFromRest,
  type StartDecision,
  type StartInput,
} from './start-position.js';

const TS = '2026-03-01T10:00:00.000Z';
const MTIME = Date.parse('2026-03-02T00:00:00.000Z');

const cp = (offset: number, o: Partial<CheckpointEntry> = {}): CheckpointEntry => ({
  path: '/p/s.jsonl',
  dev: 1,
  ino: 2,
  headLength: 10,
  headSha256: 'ab',
  offset,
  lastTs: TS,
  ...o,
});

describe('an identified file looked at again', () => {
  const rows: Array<
    [string, { size: number; readPos: number; unchanged: boolean; headMatches?: boolean }, string | null]
  > = [
    ['grew, same first line: an append', { size: 900, readPos: 400, unchanged: false, headMatches: true }, null],
    [
      'grew, another first line: rewritten',
      { size: 900, readPos: 400, unchanged: false, headMatches: false },
      'rewritten',
    ],
    ['shorter than the read position: truncated', { size: 100, readPos: 400, unchanged: false }, 'truncated'],
    ['emptied: truncated', { size: 0, readPos: 400, unchanged: false }, 'truncated'],
    ['same size, mtime moved: rewritten to the same size', { size: 400, readPos: 400, unchanged: false }, 'rewritten'],
    ['same size and mtime: nothing happened', { size: 400, readPos: 400, unchanged: true }, null],
    [
      'not read to its end yet, unchanged: read on',
      { size: 900, readPos: 400, unchanged: true, headMatches: true },
      null,
    ],
  ];
  it.each(rows)('%s', (_name, look, expected) => {
    expect(lookAgain(look)).toBe(expected);
  });

  it('reads the head only of a file that grew', () => {
    expect(needsHeadCheck({ size: 900, readPos: 400, unchanged: false })).toBe(true);
    expect(needsHeadCheck({ size: 400, readPos: 400, unchanged: false })).toBe(false);
    expect(needsHeadCheck({ size: 100, readPos: 400, unchanged: false })).toBe(false);
  });
});

describe('a resting file identified again from its head', () => {
  const rows: Array<[string, { size: number; offset: number; fileId: string | null }, string | null]> = [
    ['grew, same first line: identified on (its checkpoint decides)', { size: 900, offset: 400, fileId: 'f1' }, null],
    ['touched, same size and first line', { size: 400, offset: 400, fileId: 'f1' }, null],
    ['shorter than its checkpoint: truncated', { size: 100, offset: 400, fileId: 'f1' }, 'truncated'],
    ['another first line: rewritten', { size: 900, offset: 400, fileId: 'f2' }, 'rewritten'],
    ['no complete first line any more, shorter: truncated', { size: 10, offset: 400, fileId: null }, 'truncated'],
    ['no complete first line yet, not shorter: wait', { size: 400, offset: 400, fileId: null }, null],
  ];
  it.each(rows)('%s', (_name, w, expected) => {
    expect(wakeFromRest({ ...w, restingFileId: 'f1' })).toBe(expected);
  });
});

describe('where a newly identified file is read from', () => {
  const base: StartInput = { cp: undefined, size: 1000, mtimeMs: MTIME, since: null, checkpointAtLineStart: true };
  const since = new Date('2026-03-05T00:00:00.000Z');
  const at = (start: number, reason: StartDecision['reason'], o: Partial<StartDecision> = {}): StartDecision => ({
    start,
    lastTs: null,
    reason,
    skipped: false,
    dropCheckpoint: false,
    ...o,
  });
  const rows: Array<[string, Partial<StartInput>, StartDecision]> = [
    ['a new file: byte 0', {}, at(0, 'new')],
    [
      'a checkpoint inside the file at a line start: resumed with its lastTs',
      { cp: cp(400) },
      at(400, 'resumed', { lastTs: TS }),
    ],
    ['a checkpoint at the end of the file: resumed there', { cp: cp(1000) }, at(1000, 'resumed', { lastTs: TS })],
    [
      'a renamed file (the checkpoint follows its inode and head): resumed',
      { cp: cp(400, { path: '/p/old-name.jsonl' }) },
      at(400, 'resumed', { lastTs: TS }),
    ],
    [
      'a checkpoint no longer at a line start (rewritten in place, grown back): byte 0, entry dropped',
      { cp: cp(400), checkpointAtLineStart: false },
      at(0, 'rewritten', { dropCheckpoint: true }),
    ],
    ['a checkpoint beyond the end (truncated while unwatched): byte 0', { cp: cp(2000) }, at(0, 'new')],
    [
      'rotation: the path names a new inode, whose fileId has no checkpoint: byte 0',
      { cp: undefined, size: 50 },
      at(0, 'new'),
    ],
    [
      '--since: an older file without a checkpoint starts at its end',
      { since },
      at(1000, 'skipped', { skipped: true }),
    ],
    [
      '--since: a newer file is read from byte 0',
      { since, mtimeMs: Date.parse('2026-03-06T00:00:00.000Z') },
      at(0, 'new'),
    ],
    ['--since: a checkpoint wins over it', { since, cp: cp(400) }, at(400, 'resumed', { lastTs: TS })],
    [
      'a skipped file that grew: resumed where it was skipped, still skipped',
      { cp: cp(1000, { skipped: true, lastTs: null }), size: 1500 },
      at(1000, 'resumed', { skipped: true }),
    ],
  ];
  it.each(rows)('%s', (_name, input, expected) => {
    expect(decideStart({ ...base, ...input })).toEqual(expected);
  });

  it('looks at the bytes around a checkpoint only when it lies inside the file', () => {
    expect(needsLineStartCheck(undefined, 1000)).toBe(false);
    expect(needsLineStartCheck(cp(0), 1000)).toBe(false);
    expect(needsLineStartCheck(cp(400), 1000)).toBe(true);
    expect(needsLineStartCheck(cp(1000), 1000)).toBe(true);
    expect(needsLineStartCheck(cp(1001), 1000)).toBe(false);
  });
});

describe('start-up, before anything is opened', () => {
  const listed = { dev: 1, ino: 2, size: 1000, mtimeMs: MTIME };
  const rows: Array<[string, CheckpointEntry, boolean]> = [
    ['same dev, inode, size and mtime: rests unopened', cp(1000, { mtimeMs: MTIME }), true],
    ['no recorded mtime: looked at', cp(1000), false],
    ['mtime moved: looked at', cp(1000, { mtimeMs: MTIME - 1 }), false],
    ['grew past the checkpoint: looked at', cp(400, { mtimeMs: MTIME }), false],
    ['shorter than the checkpoint: looked at', cp(2000, { mtimeMs: MTIME }), false],
    ['another device number: looked at (findMoved decides)', cp(1000, { mtimeMs: MTIME, dev: 9 }), false],
  ];
  it.each(rows)('%s', (_name, entry, rests) => {
    expect(restsUnchanged(entry, listed)).toBe(rests);
  });

  it('expects what lies past the checkpoint, or all of a file without one or shorter than it', () => {
    expect(unreadAtStart(cp(400), 1000)).toBe(600);
    expect(unreadAtStart(cp(1000), 1000)).toBe(0);
    expect(unreadAtStart(undefined, 1000)).toBe(1000);
    expect(unreadAtStart(cp(2000), 1000)).toBe(1000);
  });
});
