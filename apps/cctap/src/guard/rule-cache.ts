/**
 * The guard rules of a rule file, kept validated between calls: reading a rule file means loading zod and
 * the YAML parser and checking every rule (a few hundred ms of a call that Claude Code waits for), while the
 * file changes once in a while. The guard rules are plain JSON once validated, so they are written beside
 * the decisions file with the identity of the file they came from (device, inode, size, modification and
 * change times) and used as long as that identity holds. Best effort both ways: an unreadable or stale
 * cache is a cache miss, a cache that cannot be written costs the next call the same work again.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import type { GuardRule } from '@cctap/alerter/guard';

interface CacheFile {
  v: 1;
  file: string;
  identity: string;
  rules: GuardRule[];
}

const identityOf = (st: Stats): string => [st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs].join(':');

/** The cached rules of `file` when the cache was made from the file as it is now, else null. */
export function cachedRules(cache: string, file: string): GuardRule[] | null {
  try {
    const c = JSON.parse(readFileSync(cache, 'utf8')) as CacheFile;
    if (c.v !== 1 || c.file !== file || c.identity !== identityOf(statSync(file))) return null;
    return Array.isArray(c.rules) ? c.rules : null;
  } catch {
    return null;
  }
}

/** Records the rules validated from `file` as it was when read (`st`, taken before reading it). */
export function cacheRules(cache: string, file: string, st: Stats, rules: GuardRule[]): void {
  try {
    mkdirSync(dirname(cache), { recursive: true, mode: 0o700 });
    const tmp = `${cache}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ v: 1, file, identity: identityOf(st), rules } satisfies CacheFile), {
      mode: 0o600,
    });
    renameSync(tmp, cache);
  } catch {
    // Not cached: the next call validates the file again.
  }
}
