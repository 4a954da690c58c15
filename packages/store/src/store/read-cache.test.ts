import { describe, expect, it } from 'vitest';
import { ReadCache, readKey } from './read-cache.js';

const bytes = (s: string) => new TextEncoder().encode(s);

/** A promise and its resolve, to hold a read or a write in flight. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ReadCache', () => {
  it('answers a repeated read from the first run until a write', async () => {
    const cache = new ReadCache();
    let runs = 0;
    const run = () => Promise.resolve(bytes(`answer ${++runs}`));
    expect(await cache.read('k', run)).toEqual(bytes('answer 1'));
    expect(await cache.read('k', run)).toEqual(bytes('answer 1'));
    expect(runs).toBe(1);
    await cache.write(() => Promise.resolve());
    expect(await cache.read('k', run)).toEqual(bytes('answer 2'));
    expect(runs).toBe(2);
  });

  it('keeps no answer of a read that ran while a write was in flight or ended', async () => {
    const cache = new ReadCache();
    let runs = 0;
    const run = () => Promise.resolve(bytes(String(++runs)));

    // A write in flight when the read starts: the read may or may not see it.
    const w = deferred<void>();
    const writing = cache.write(() => w.promise);
    await cache.read('k', run);
    expect(cache.size).toBe(0);
    w.resolve();
    await writing;

    // A write that starts and ends while the read runs.
    const r = deferred<Uint8Array>();
    const reading = cache.read('k', () => r.promise);
    await cache.write(() => Promise.resolve());
    r.resolve(bytes('before the write'));
    await reading;
    expect(cache.size).toBe(0);
    await cache.read('k', run);
    expect(cache.size).toBe(1);
  });

  it('drops every answer when a write starts, even one that fails', async () => {
    const cache = new ReadCache();
    await cache.read('a', () => Promise.resolve(bytes('a')));
    await cache.read('b', () => Promise.resolve(bytes('b')));
    expect(cache.size).toBe(2);
    await expect(cache.write(() => Promise.reject(new Error('insert failed')))).rejects.toThrow('insert failed');
    expect(cache.size).toBe(0);
  });

  it('recomputes an answer older than ten minutes', async () => {
    let t = 0;
    const cache = new ReadCache(() => t);
    let runs = 0;
    const run = () => Promise.resolve(bytes(String(++runs)));
    await cache.read('k', run);
    t = 9 * 60_000;
    await cache.read('k', run);
    expect(runs).toBe(1);
    t = 11 * 60_000;
    await cache.read('k', run);
    expect(runs).toBe(2);
  });

  it('keeps at most 128 answers, the least recently used going first', async () => {
    const cache = new ReadCache();
    const run = (k: string) => () => Promise.resolve(bytes(k));
    for (let i = 0; i < 128; i++) await cache.read(`k${i}`, run(`k${i}`));
    await cache.read('k0', () => Promise.reject(new Error('k0 is kept'))); // k0 used: k1 is now the oldest
    await cache.read('k128', run('k128'));
    expect(cache.size).toBe(128);
    let reran = false;
    await cache.read('k1', () => ((reran = true), Promise.resolve(bytes('k1'))));
    expect(reran).toBe(true);
    await cache.read('k0', () => Promise.reject(new Error('k0 is still kept')));
  });

  it('does not keep an answer larger than 8 MiB', async () => {
    const cache = new ReadCache();
    await cache.read('big', () => Promise.resolve(new Uint8Array(9 * 1024 * 1024)));
    expect(cache.size).toBe(0);
  });

  it('tells reads apart by text, parameters and read-only session', () => {
    const keys = new Set([
      readKey('SELECT 1', undefined, false),
      readKey('SELECT 1', undefined, true),
      readKey('SELECT 1', { a: 1 }, false),
      readKey('SELECT 1', { a: 2 }, false),
      readKey('SELECT 2', undefined, false),
    ]);
    expect(keys.size).toBe(5);
  });
});
