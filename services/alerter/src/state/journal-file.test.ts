/** The journal file behind `cctap up`'s alert state: last write wins, deletes hold, a torn line is skipped. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalFile } from './journal-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fileIn = () => {
  const d = mkdtempSync(join(tmpdir(), 'journal-'));
  dirs.push(d);
  return join(d, 'sub', 'state.jsonl');
};

describe('JournalFile', () => {
  it('reopens with the last value of each key, without deleted keys or a line a crash cut short', async () => {
    const path = fileIn();
    const j = new JournalFile<{ n: number }>(path);
    await Promise.all([j.put('a', { n: 1 }), j.put('b', { n: 1 }), j.put('c', { n: 1 })]);
    await j.put('a', { n: 2 });
    await j.delete('b');
    await j.close();
    appendFileSync(path, '{"k":"c","v":{"n":');
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const again = new JournalFile<{ n: number }>(path);
    expect(await again.values()).toEqual([{ n: 2 }, { n: 1 }]);
    // Opening compacts: one line per live key.
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
    await again.close();
  });

  it('compacts when dead lines outnumber live ones', async () => {
    const path = fileIn();
    const j = new JournalFile<number>(path);
    for (let i = 0; i < 1500; i++) await j.put('k', i);
    await j.close();
    expect(readFileSync(path, 'utf8').trim().split('\n').length).toBeLessThan(1100);
    const again = new JournalFile<number>(path);
    expect(await again.values()).toEqual([1499]);
    await again.close();
  });
});
