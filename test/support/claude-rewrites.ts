/**
 * The ways Claude Code rewrites a transcript it already wrote, done the way it does them
 * (shared/docs/transcript-format-2026.md section 1.2), for tests of the collector and the pipeline:
 *
 *   (a) removeLineInPlace   tombstone removal: open r+, ftruncate at the start of the line, write the bytes
 *                           that followed it back (same inode; the file shrinks, later lines move up)
 *   (b) compactTranscript   the kept rows to `<session>.jsonl.compact.tmp.<8 hex>`, fsync, rename over the
 *                           transcript (new inode, the other rows gone), then the metadata lines appended again
 *   (c) relocateTranscript  `/cd`: rename into another project folder, or copy + delete (across devices), then a
 *                           `relocated` line appended
 *   (d) reappendMetadata    the same metadata lines appended again
 */
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, join } from 'node:path';

/** (a) Removes the line whose `uuid` is `uuid` in place; returns the removed line. */
export function removeLineInPlace(path: string, uuid: string): string {
  const text = readFileSync(path);
  const at = text.indexOf(`"uuid":"${uuid}"`);
  if (at < 0) throw new Error(`no line with uuid ${uuid} in ${path}`);
  const start = text.lastIndexOf(0x0a, at) + 1;
  const end = text.indexOf(0x0a, at) + 1;
  const rest = text.subarray(end);
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, start);
    writeSync(fd, rest, 0, rest.length, start);
  } finally {
    closeSync(fd);
  }
  return text.subarray(start, end).toString();
}

/** (b) Keeps the lines `keep` accepts, atomically replacing the file, then appends `metadata` again. */
export function compactTranscript(path: string, keep: (line: string) => boolean, metadata: readonly string[]): void {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const tmp = `${path}.compact.tmp.${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(
      fd,
      lines
        .filter(keep)
        .map((l) => `${l}\n`)
        .join(''),
    );
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  reappendMetadata(path, metadata);
}

/** A compactTranscript `keep` that drops the lines whose uuid is in `uuids` (metadata lines have none: kept). */
export function dropUuids(uuids: ReadonlySet<string>): (line: string) => boolean {
  return (line) => !uuids.has(uuidOfLine(line) ?? '');
}

/** The `uuid` of a transcript line; undefined for metadata lines. */
export function uuidOfLine(line: string): string | undefined {
  return (JSON.parse(line) as { uuid?: string }).uuid;
}

/** (c) Moves the transcript into `toProjectDir` (rename, or copy + delete), then appends `relocatedLine`. */
export function relocateTranscript(
  path: string,
  toProjectDir: string,
  how: 'rename' | 'copy',
  relocatedLine: string,
): string {
  mkdirSync(toProjectDir, { recursive: true });
  const to = join(toProjectDir, basename(path));
  if (how === 'rename') renameSync(path, to);
  else {
    copyFileSync(path, to);
    unlinkSync(path);
  }
  appendFileSync(to, `${relocatedLine}\n`);
  return to;
}

/** (d) Appends the same metadata lines again. */
export function reappendMetadata(path: string, metadata: readonly string[]): void {
  appendFileSync(path, metadata.map((l) => `${l}\n`).join(''));
}
