import { describe, expect, it } from 'vitest';
import type { CheckpointEntry } from '../checkpoint/checkpoint-store.js';
import { decideStart, needsLineStartCheck } from './start-position.js';

const cp = (offset: number, o: Partial<CheckpointEntry> = {}): CheckpointEntry => ({
  path: '/p/s.jsonl',
  dev: 1,
  ino: 2,
  headLength: 10,
  headSha256: 'ab',
  offset,
  lastTs: '2026-03-01T10:00:00.000Z',
  ...o,
});
const base = { size: 1000, mtimeMs: Date.parse('2026-03-02T00:00:00.000Z'), since: null, checkpointAtLineStart: true };

describe('where a newly identified file is read from', () => {
  it('resumes at a checkpoint that still starts a line, with its lastTs', () => {
    expect(decideStart({ ...base, cp: cp(400) })).toEqual({
      start: 400,
      lastTs: '2026-03-01T10:00:00.000Z',
      reason: 'resumed',
      skipped: false,
      dropCheckpoint: false,
    });
    expect(decideStart({ ...base, cp: cp(1000) }).start).toBe(1000);
    expect(decideStart({ ...base, cp: cp(1000, { skipped: true }) }).skipped).toBe(true);
  });

  it('reads from byte 0 and drops the entry when the checkpoint no longer starts a line (rewritten in place, grown back)', () => {
    expect(decideStart({ ...base, cp: cp(400), checkpointAtLineStart: false })).toEqual({
      start: 0,
      lastTs: null,
      reason: 'rewritten',
      skipped: false,
      dropCheckpoint: true,
    });
  });

  it('reads from byte 0 a file shorter than its checkpoint, or one without a checkpoint', () => {
    expect(decideStart({ ...base, cp: cp(2000) })).toMatchObject({ start: 0, reason: 'new' });
    expect(decideStart({ ...base, cp: undefined })).toMatchObject({ start: 0, reason: 'new', dropCheckpoint: false });
  });

  it('--since: an older file without a checkpoint starts at its end; a checkpoint wins over it', () => {
    const since = new Date('2026-03-05T00:00:00.000Z');
    expect(decideStart({ ...base, cp: undefined, since })).toEqual({
      start: 1000,
      lastTs: null,
      reason: 'skipped',
      skipped: true,
      dropCheckpoint: false,
    });
    expect(decideStart({ ...base, cp: undefined, since, mtimeMs: Date.parse('2026-03-06T00:00:00.000Z') }).start).toBe(
      0,
    );
    expect(decideStart({ ...base, cp: cp(400), since }).reason).toBe('resumed');
  });

  it('looks at the bytes around a checkpoint only when it lies inside the file', () => {
    expect(needsLineStartCheck(undefined, 1000)).toBe(false);
    expect(needsLineStartCheck(cp(0), 1000)).toBe(false);
    expect(needsLineStartCheck(cp(400), 1000)).toBe(true);
    expect(needsLineStartCheck(cp(1000), 1000)).toBe(true);
    expect(needsLineStartCheck(cp(1001), 1000)).toBe(false);
  });
});
