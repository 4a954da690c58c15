import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../testing/temp-dirs.js';
import { DescriptorCache } from './descriptor-cache.js';
import { FileRegistry } from './file-registry.js';
import type { Tracked } from './tracked-file.js';

const { make: tmp, removeAll } = tempDirs('cctap-descriptors-');
afterEach(removeAll);

function file(dir: string, i: number, o: Partial<Tracked>): Tracked {
  const path = join(dir, `s-${i}.jsonl`);
  writeFileSync(path, '{}\n');
  return {
    key: `1:${i}`,
    dev: 1,
    ino: i,
    paths: [path],
    fh: null,
    readPos: 3,
    id: null,
    restingFileId: null,
    lastSize: 3,
    lastMtimeMs: 0,
    lastChangeAt: 0,
    lastUsedAt: i,
    ...o,
  };
}

describe('DescriptorCache', () => {
  it('at the budget closes the least recently used files read to their end, never one still being read', async () => {
    const dir = tmp();
    const files = new FileRegistry();
    const cache = new DescriptorCache(files, 4);
    // s-0 is the least recently used but still has bytes to read: it keeps its descriptor.
    const all = [file(dir, 0, { readPos: 1 }), file(dir, 1, {}), file(dir, 2, {}), file(dir, 3, {}), file(dir, 4, {})];
    for (const t of all.slice(0, 4)) {
      files.track(t);
      await cache.openFor(t, t.paths[0]!);
    }
    expect(cache.open).toBe(4);
    files.track(all[4]!);
    await cache.openFor(all[4]!, all[4]!.paths[0]!);
    // Down to three quarters of the budget before the open (3), then the new one: s-1 went, s-0 stayed.
    expect(all.map((t) => t.fh !== null)).toEqual([true, false, true, true, true]);
    expect(cache.open).toBe(4);
    await cache.closeAll();
    expect(cache.open).toBe(0);
    expect(all.every((t) => t.fh === null)).toBe(true);
  });

  it('an open that fails leaves nothing counted', async () => {
    const files = new FileRegistry();
    const cache = new DescriptorCache(files, 4);
    const t = file(tmp(), 0, {});
    await expect(cache.openFor(t, join(tmp(), 'missing.jsonl'))).rejects.toThrow(/ENOENT/);
    expect(t.fh).toBeNull();
    expect(cache.open).toBe(0);
  });
});
