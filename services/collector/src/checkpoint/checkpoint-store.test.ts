import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointStore, type CheckpointEntry } from './checkpoint-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function store(): CheckpointStore {
  const dir = mkdtempSync(join(tmpdir(), 'cctap-checkpoints-'));
  dirs.push(dir);
  return new CheckpointStore(dir, 5);
}

const entry = (dev: number, ino: number, sha = 'h'): CheckpointEntry => ({
  path: `/t/${ino}.jsonl`,
  dev,
  ino,
  headLength: 10,
  headSha256: sha,
  offset: 10,
  lastTs: null,
});
const head = (sha = 'h') => ({ length: 10, sha256: sha });

describe('CheckpointStore.findMoved', () => {
  it('finds the entry of the same inode and head under another device, and nothing else', () => {
    const s = store();
    s.set('a', entry(1, 100));
    s.set('b', entry(1, 200, 'other'));
    expect(s.findMoved(2, 100, head())).toEqual({ fileId: 'a', entry: entry(1, 100) });
    expect(s.findMoved(1, 100, head())).toBeUndefined(); // same device: not moved, another file
    expect(s.findMoved(2, 200, head())).toBeUndefined(); // another head
    expect(s.findMoved(2, 300, head())).toBeUndefined();
    s.flush(); // the coalesced write, before the directory goes
  });

  it('follows entries that are replaced under another inode, deleted, and loaded back from disk', async () => {
    const s = store();
    s.set('a', entry(1, 100));
    s.set('a', entry(1, 101));
    expect(s.findMoved(2, 100, head())).toBeUndefined();
    expect(s.findMoved(2, 101, head())?.fileId).toBe('a');
    s.set('c', entry(3, 101));
    s.delete('a');
    expect(s.findMoved(2, 101, head())?.fileId).toBe('c');
    s.flush();
    const again = new CheckpointStore(s.dir);
    again.load();
    expect(again.findMoved(2, 101, head())?.fileId).toBe('c');
    expect(again.findMoved(2, 100, head())).toBeUndefined();
  });
});
