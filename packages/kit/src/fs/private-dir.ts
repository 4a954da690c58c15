/**
 * Directories that hold what transcripts contain (the store, collector checkpoints, `up.json` with its
 * loopback token) are the user's alone: 0700, whoever made them and whatever the umask. A directory that
 * already exists with wider permissions is narrowed, so an upgrade closes what an older version left open.
 * Files inside get 0600 from the process umask (the `cctap` entry point sets 077): the embedded engine writes
 * its own files, and the umask is the only thing that reaches those.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';

export function privateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const st = statSync(path);
  // Only our own directory is ours to narrow (a shared parent given as --data is left as the admin set it).
  if ((st.mode & 0o077) !== 0 && (process.getuid === undefined || st.uid === process.getuid())) chmodSync(path, 0o700);
  return path;
}
