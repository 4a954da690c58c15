/**
 * A whole-file replace that a crash cannot tear: write a temp file, fsync it, rename it over the old one,
 * fsync the directory (Vector's checkpointer does the same). A crash at any point leaves either the old or
 * the new file.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

export function writeDurably(dir: string, file: string, body: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
