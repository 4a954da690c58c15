import { describe, expect, it } from 'vitest';
import { FileRegistry } from './file-registry.js';
import type { Identity, Tracked } from './tracked-file.js';

const tracked = (key: string, path: string, o: Partial<Tracked> = {}): Tracked => ({
  key,
  dev: 1,
  ino: Number(key.split(':')[1]),
  paths: [path],
  fh: null,
  readPos: 0,
  id: null,
  restingFileId: null,
  lastSize: 0,
  lastMtimeMs: 0,
  lastChangeAt: 0,
  lastUsedAt: 0,
  ...o,
});

describe('FileRegistry', () => {
  it('finds a file by each of its names and by its inode; its last name going means the inode is to be finished', () => {
    const r = new FileRegistry();
    const t = tracked('1:7', '/p/a.jsonl', { id: { path: '/p/a.jsonl' } as Identity });
    r.track(t);
    r.addPath(t, '/p/b.jsonl'); // a hard link
    expect(r.count).toBe(1);
    expect(r.atPath('/p/b.jsonl')).toBe(t);
    expect(r.withKey('1:7')).toBe(t);
    expect(r.identifiedCount).toBe(1);

    // The name its identity reads under goes: the identity moves to the remaining name.
    expect(r.removePath(t, '/p/a.jsonl')).toBe(false);
    expect(r.isKnown('/p/a.jsonl')).toBe(false);
    expect(t.id!.path).toBe('/p/b.jsonl');
    expect(r.removePath(t, '/p/b.jsonl')).toBe(true);
    r.forget(t);
    expect(r.count).toBe(0);
    expect([...r.all()]).toEqual([]);
  });

  it('a watch event heats a known file and stamps its change time; forgetting a file cools it', () => {
    const r = new FileRegistry();
    const t = tracked('1:8', '/p/c.jsonl');
    r.track(t);
    r.touch('/p/unknown.jsonl', 5);
    expect(r.hot.size).toBe(0);
    r.touch('/p/c.jsonl', 1234);
    expect(t.lastChangeAt).toBe(1234);
    expect([...r.hot]).toEqual([t]);
    r.cool(t);
    expect(r.hot.size).toBe(0);
    r.heat(t);
    r.forget(t);
    expect(r.hot.size).toBe(0);
  });

  it('says the first time a path is denied, so it is logged once; allowing it again clears it', () => {
    const r = new FileRegistry();
    expect(r.deny('/p/x.jsonl')).toBe(true);
    expect(r.deny('/p/x.jsonl')).toBe(false);
    expect([...r.denied]).toEqual(['/p/x.jsonl']);
    r.allow('/p/x.jsonl');
    expect(r.denied.size).toBe(0);
    expect(r.deny('/p/x.jsonl')).toBe(true);
  });
});
