import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../testing/temp-dirs.js';
import { BACKUP_DIR, isTranscriptName, walkTree, type DirCache } from './walk.js';

const { make: tmp, removeAll } = tempDirs('cctap-walk-');
afterEach(removeAll);

const old = new Date(Date.now() - 60_000);

/** projects/-a/{1,2}.jsonl, projects/-b/s/3.jsonl, every directory with an mtime a minute old. */
function tree(): string {
  const root = tmp();
  mkdirSync(join(root, '-a'));
  mkdirSync(join(root, '-b', 's'), { recursive: true });
  for (const f of ['-a/1.jsonl', '-a/2.jsonl', '-b/s/3.jsonl', '-b/notes.txt']) writeFileSync(join(root, f), '{}\n');
  for (const d of ['-a', '-b/s', '-b', '.']) utimesSync(join(root, d), old, old);
  return root;
}

describe('walkTree with a directory cache', () => {
  it('lists everything once, then only directories whose entries changed; subdirectories are still walked', () => {
    const root = tree();
    const cache: DirCache = new Map();
    const first = walkTree(root, new Set(), cache);
    expect(first.files.sort()).toEqual([
      join(root, '-a/1.jsonl'),
      join(root, '-a/2.jsonl'),
      join(root, '-b/s/3.jsonl'),
    ]);

    const again = walkTree(root, new Set(), cache);
    expect(again.files).toEqual([]);
    expect(again.dirs.sort()).toEqual(first.dirs.sort());

    // A new file deep down moves its own directory's mtime only: that directory is listed (all of it),
    // although its parents are skipped.
    writeFileSync(join(root, '-b/s/4.jsonl'), '{}\n');
    expect(walkTree(root, new Set(), cache).files.sort()).toEqual([
      join(root, '-b/s/3.jsonl'),
      join(root, '-b/s/4.jsonl'),
    ]);
  });

  it('does not trust a listing taken while the directory had just changed, nor one with symbolic links', () => {
    const root = tree();
    writeFileSync(join(root, '-a/fresh.jsonl'), '{}\n'); // -a's mtime is now
    symlinkSync(join(root, '-a/1.jsonl'), join(root, '-b/link.jsonl'));
    utimesSync(join(root, '-b'), old, old);
    const cache: DirCache = new Map();
    walkTree(root, new Set(), cache);
    const again = walkTree(root, new Set(), cache).files.sort();
    expect(again).toEqual([
      join(root, '-a/1.jsonl'),
      join(root, '-a/2.jsonl'),
      join(root, '-a/fresh.jsonl'),
      join(root, '-b/link.jsonl'),
    ]);
  });

  it('without a cache, lists every file every time', () => {
    const root = tree();
    expect(walkTree(root).files).toHaveLength(3);
    expect(walkTree(root).files).toHaveLength(3);
  });
});

describe('walkTree with entries that are not regular files', () => {
  it('reports a FIFO and a dangling link named like a transcript, and reads neither', () => {
    const root = tree();
    execFileSync('mkfifo', [join(root, '-a', 'pipe.jsonl')]);
    symlinkSync(join(root, 'gone.jsonl'), join(root, '-a', 'dangling.jsonl'));
    symlinkSync(join(root, 'gone.txt'), join(root, '-a', 'dangling.txt'));
    const r = walkTree(root);
    expect(r.files.sort()).toEqual([join(root, '-a/1.jsonl'), join(root, '-a/2.jsonl'), join(root, '-b/s/3.jsonl')]);
    expect(r.skipped.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: join(root, '-a', 'dangling.jsonl'), reason: 'dangling_link' },
      { path: join(root, '-a', 'pipe.jsonl'), reason: 'not_a_regular_file' },
    ]);
    expect(r.errors).toEqual([]);
  });
});

describe('files Claude Code writes while rewriting a transcript', () => {
  it('are never listed: the compaction temp file, superseded copies, anything under before-cleanup/', () => {
    const root = tree();
    const backup = join(root, '-a', 's', BACKUP_DIR);
    mkdirSync(backup, { recursive: true });
    const others = [
      join(root, '-a', '1.jsonl.compact.tmp.0a1b2c3d'),
      join(root, '-a', '2.jsonl.superseded-1733500000000'),
      join(backup, '1733500000000-ab12.jsonl.replaced'),
      join(backup, 'copy.jsonl'),
    ];
    for (const f of others) writeFileSync(f, '{}\n');
    expect(walkTree(root).files.sort()).toEqual([
      join(root, '-a/1.jsonl'),
      join(root, '-a/2.jsonl'),
      join(root, '-b/s/3.jsonl'),
    ]);
    expect(walkTree(root).dirs).not.toContain(backup);
    expect(walkTree(backup).files).toEqual([]); // a watch event naming the new folder
    for (const f of others) expect(isTranscriptName(f)).toBe(false);
    expect(isTranscriptName(join(root, '-a', '1.jsonl'))).toBe(true);
  });
});
