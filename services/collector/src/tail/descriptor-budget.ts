/**
 * How many transcripts the collector may hold open at once. Every file written in the last hot window is
 * read, and a backfill reads thousands of small files in a row: unbounded, that exhausted the process's
 * descriptors (the embedded store in the same process then failed with "too many open files"). The budget
 * is the configured cap, and never more than a quarter of the process's soft limit (RLIMIT_NOFILE, read from
 * /proc/self/limits where there is one), leaving the rest to sockets, the store and the checkpoint files.
 */
import { readFileSync } from 'node:fs';

/** The soft limit on open files of this process, or null where it cannot be read. */
export function openFilesSoftLimit(limitsText?: string): number | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null;
    }
  }
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  if (!m || m[1] === 'unlimited') return null;
  return Number(m[1]);
}

export function descriptorBudget(configured: number, softLimit: number | null = openFilesSoftLimit()): number {
  if (softLimit === null) return configured;
  return Math.max(8, Math.min(configured, Math.floor(softLimit / 4)));
}
