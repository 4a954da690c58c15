/**
 * Recursive listing of a `projects` tree: every directory (to watch) and every `*.jsonl` file (to tail).
 * Symbolic links are followed, but each real directory is visited once, so a link loop ends the walk
 * instead of recursing forever. Unreadable directories are reported, not fatal.
 */
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

export interface WalkResult {
  dirs: string[];
  files: string[];
  errors: Array<{ path: string; code: string }>;
}

export const isTranscriptName = (name: string): boolean => name.endsWith('.jsonl');

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
}

/**
 * Synchronous on purpose: a tree of 10k files lists in a few milliseconds with readdirSync, while the
 * promise API costs one microtask round trip per entry. `visited` carries real paths across calls so a
 * later partial walk (a new folder) does not re-enter what is already watched.
 */
export function walkTree(dir: string, visited: Set<string> = new Set()): WalkResult {
  const out: WalkResult = { dirs: [], files: [], errors: [] };
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    let real: string;
    let entries: Dirent[];
    try {
      real = realpathSync(current);
      if (visited.has(real)) continue;
      entries = readdirSync(current, { withFileTypes: true });
    } catch (err) {
      const code = codeOf(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') out.errors.push({ path: current, code });
      continue;
    }
    visited.add(real);
    out.dirs.push(current);
    for (const e of entries) {
      const p = join(current, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        if (isTranscriptName(e.name)) out.files.push(p);
      } else if (e.isSymbolicLink()) {
        try {
          const st = statSync(p);
          if (st.isDirectory()) stack.push(p);
          else if (st.isFile() && isTranscriptName(e.name)) out.files.push(p);
        } catch (err) {
          const code = codeOf(err);
          if (code !== 'ENOENT') out.errors.push({ path: p, code });
        }
      }
    }
  }
  return out;
}
