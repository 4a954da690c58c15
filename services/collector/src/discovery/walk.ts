/**
 * Recursive listing of a `projects` tree: every directory (to watch) and every `*.jsonl` file (to tail).
 * Symbolic links are followed, but each real directory is visited once, so a link loop ends the walk
 * instead of recursing forever. Unreadable directories are reported, not fatal.
 */
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { basename, join, sep } from 'node:path';

/**
 * What a walk remembers of each directory it listed, so the next walk can skip re-listing one whose mtime
 * did not move: creating, removing or renaming an entry changes a directory's mtime (a write to a file in
 * it does not, and is not needed here: the caller stats the files it knows). A listing is only trusted
 * when the directory's mtime was already `SETTLED_MS` old when it was listed: an entry created within the
 * same clock tick as the previous change would not move the mtime again.
 */
export type DirCache = Map<string, { mtimeMs: number; subdirs: string[] }>;

const SETTLED_MS = 2000;

/** Why an entry named like a transcript is not read: a FIFO, socket or device, or a link to nothing. */
export type SkipReason = 'not_a_regular_file' | 'dangling_link';

export interface WalkResult {
  dirs: string[];
  files: string[];
  errors: Array<{ path: string; code: string }>;
  /** Entries named `*.jsonl` that cannot be tailed, so the caller can count and report them. */
  skipped: Array<{ path: string; reason: SkipReason }>;
}

/**
 * Where Claude Code keeps transcripts it replaced (2.1.332 `keep` mode: `<session>/before-cleanup/<ms>-<hex>.jsonl.replaced`):
 * old copies of lines already read from the live file, never a transcript. Not walked, not watched.
 */
export const BACKUP_DIR = 'before-cleanup';
const IN_BACKUP_DIR = `${sep}${BACKUP_DIR}${sep}`;

/**
 * A transcript is `*.jsonl` (a name, or a path outside BACKUP_DIR). What Claude Code writes next to one while
 * rewriting it ends otherwise and is never read: the compaction temp file `<session>.jsonl.compact.tmp.<8 hex>`
 * (renamed over the transcript when complete), `<session>.jsonl.superseded-*`, `*.jsonl.replaced`.
 */
export const isTranscriptName = (nameOrPath: string): boolean =>
  nameOrPath.endsWith('.jsonl') && !nameOrPath.includes(IN_BACKUP_DIR);

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
}

/**
 * Synchronous on purpose: a tree of 10k files lists in a few milliseconds with readdirSync, while the
 * promise API costs one microtask round trip per entry. `visited` carries real paths across calls so a
 * later partial walk (a new folder) does not re-enter what is already watched. With `cache`, a directory
 * unchanged since its last listing is not listed again (its files are then not in `files`; its
 * subdirectories are still walked): the periodic full sweep then costs a stat per directory, not a name per
 * file.
 */
export function walkTree(dir: string, visited: Set<string> = new Set(), cache?: DirCache): WalkResult {
  const out: WalkResult = { dirs: [], files: [], errors: [], skipped: [] };
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (basename(current) === BACKUP_DIR) continue; // as a subdirectory, or named by a watch event as a new folder
    let real: string;
    let entries: Dirent[];
    let mtimeMs = Number.NaN;
    try {
      real = realpathSync(current);
      if (visited.has(real)) continue;
      if (cache) {
        mtimeMs = statSync(current).mtimeMs;
        const known = cache.get(current);
        if (known && known.mtimeMs === mtimeMs) {
          visited.add(real);
          out.dirs.push(current);
          stack.push(...known.subdirs);
          continue;
        }
      }
      entries = readdirSync(current, { withFileTypes: true });
    } catch (err) {
      const code = codeOf(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') out.errors.push({ path: current, code });
      continue;
    }
    visited.add(real);
    out.dirs.push(current);
    const subdirs: string[] = [];
    let links = false;
    for (const e of entries) {
      const p = join(current, e.name);
      if (e.isDirectory()) subdirs.push(p);
      else if (e.isFile()) {
        if (isTranscriptName(e.name)) out.files.push(p);
      } else if (e.isSymbolicLink()) {
        links = true;
        try {
          const st = statSync(p);
          if (st.isDirectory()) subdirs.push(p);
          else if (isTranscriptName(e.name)) {
            if (st.isFile()) out.files.push(p);
            else out.skipped.push({ path: p, reason: 'not_a_regular_file' });
          }
        } catch (err) {
          const code = codeOf(err);
          if (code === 'ENOENT') {
            if (isTranscriptName(e.name)) out.skipped.push({ path: p, reason: 'dangling_link' });
          } else out.errors.push({ path: p, code });
        }
      } else if (isTranscriptName(e.name)) {
        out.skipped.push({ path: p, reason: 'not_a_regular_file' });
      }
    }
    stack.push(...subdirs);
    // NaN never matches: listed again next time. So is a directory with symbolic links (a link's target
    // can appear or change without the directory's mtime moving).
    if (cache)
      cache.set(current, { mtimeMs: !links && Date.now() - mtimeMs >= SETTLED_MS ? mtimeMs : Number.NaN, subdirs });
  }
  return out;
}
