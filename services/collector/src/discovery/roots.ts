/**
 * Where transcripts live (transcript-format.md section 1): `CLAUDE_CONFIG_DIR` (a comma-separated list)
 * replaces the defaults; otherwise both `~/.claude` and `$XDG_CONFIG_HOME/claude` (default `~/.config/claude`)
 * are watched. Explicit roots (`--root`) override both. Roots are de-duplicated by real path; a root that
 * does not exist yet is kept (it is watched for and picked up when it appears).
 */
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface RootOptions {
  /** Explicit roots; when non-empty they are the only ones. */
  roots?: readonly string[];
  /** The environment as the application read it: CLAUDE_CONFIG_DIR, XDG_CONFIG_HOME. */
  env: Readonly<Record<string, string | undefined>>;
  home?: string;
}

function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

/** A root may be given as the Claude config dir or as its `projects` folder; we keep the config dir. */
function normalizeRoot(p: string, home: string): string {
  const abs = resolve(expandHome(p.trim(), home));
  return abs.endsWith('/projects') ? abs.slice(0, -'/projects'.length) : abs;
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The Claude config directories to watch, in order, without duplicates (by real path). */
export function resolveRoots(opts: RootOptions): string[] {
  const env = opts.env;
  const home = opts.home ?? homedir();
  let candidates: string[];
  if (opts.roots && opts.roots.length > 0) candidates = [...opts.roots];
  else if (env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR.trim() !== '')
    candidates = env.CLAUDE_CONFIG_DIR.split(',').filter((s) => s.trim() !== '');
  else candidates = [join(home, '.claude'), join(env.XDG_CONFIG_HOME?.trim() || join(home, '.config'), 'claude')];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of candidates) {
    const root = normalizeRoot(c, home);
    const key = realOrSelf(root);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(root);
  }
  return out;
}

export const projectsDirOf = (root: string): string => join(root, 'projects');
