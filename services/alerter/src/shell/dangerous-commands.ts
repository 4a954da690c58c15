/**
 * Finds dangerous operations in a shell command line. Works on the simple commands of `splitCommands`, after
 * peeling the wrappers people (and agents) put in front of a program: `VAR=x`, `env …`, `sudo …`, `nohup`,
 * `time`, `nice`, `command`, `exec`, `xargs`, absolute paths (`/bin/rm`) and `bash -c '…'` (re-parsed).
 *
 * Decisions:
 * - `rm` is dangerous when recursive (any of -r/-R/--recursive, in any flag order or cluster) on a broad
 *   target: `/`, `~`, `$HOME`, `*`, `.`, `..`, a top-level directory (`/etc`) or their `/*` globs. `-f` is
 *   not required: `rm -r ~` is just as destructive.
 * - `git push --force` / `-f` / `+refspec` is dangerous; `--force-with-lease` refuses to overwrite work it has
 *   not seen, so it is reported separately (`git-push-force-with-lease`) and the shipped pack rates it lower.
 * - `sudo` is reported on its own (`sudo`) besides whatever it runs.
 * - SQL `DROP TABLE|DATABASE|SCHEMA` and `TRUNCATE` are looked for in the whole text (they hide in
 *   `psql -c "…"`, heredocs and files piped to clients).
 */
import { splitCommands } from './tokenize.js';

export const DANGER_KINDS = [
  'rm-rf-broad',
  'git-push-force',
  'git-push-force-with-lease',
  'git-reset-hard',
  'curl-pipe-shell',
  'chmod-777-recursive',
  'sudo',
  'sql-drop',
  'disk-write',
] as const;
export type DangerKind = (typeof DANGER_KINDS)[number];

export interface DangerFinding {
  kind: DangerKind;
  /** The simple command that triggered it, re-joined with single spaces. */
  command: string;
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'ash']);
const FETCHERS = new Set(['curl', 'wget']);
const MAX_DEPTH = 4;

/** `/usr/bin/rm` -> `rm`. */
function base(word: string): string {
  const i = word.lastIndexOf('/');
  return i === -1 ? word : word.slice(i + 1);
}

/**
 * Strips assignments and wrapper programs; returns the words of the program really run and whether `sudo`
 * (or `doas`) was among the wrappers.
 */
function unwrap(words: readonly string[]): { words: string[]; sudo: boolean } {
  let w = [...words];
  let sudo = false;
  for (let guard = 0; guard < 16 && w.length > 0; guard++) {
    const head = w[0]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(head)) {
      w = w.slice(1);
      continue;
    }
    const name = base(head);
    if (name === 'sudo' || name === 'doas') {
      sudo = true;
      let i = 1;
      // sudo's options, some of which take a value.
      while (i < w.length && w[i]!.startsWith('-')) {
        const opt = w[i]!;
        i += /^-[ugCDhpTrt]$/.test(opt) || /^--(user|group|chdir|prompt)$/.test(opt) ? 2 : 1;
      }
      w = w.slice(i);
      continue;
    }
    if (name === 'env') {
      let i = 1;
      while (i < w.length && (w[i]!.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[i]!))) {
        i += w[i] === '-u' || w[i] === '-C' || w[i] === '-S' ? 2 : 1;
      }
      w = w.slice(i);
      continue;
    }
    if (name === 'nohup' || name === 'time' || name === 'command' || name === 'exec' || name === 'builtin') {
      let i = 1;
      while (i < w.length && w[i]!.startsWith('-')) i++;
      w = w.slice(i);
      continue;
    }
    if (name === 'nice' || name === 'ionice' || name === 'timeout' || name === 'xargs' || name === 'stdbuf') {
      let i = 1;
      while (i < w.length && w[i]!.startsWith('-')) i += /^-[nctLIPs]$/.test(w[i]!) ? 2 : 1;
      // timeout takes a duration before the program.
      if (name === 'timeout' && i < w.length && /^[0-9.]+[smhd]?$/.test(w[i]!)) i++;
      w = w.slice(i);
      continue;
    }
    break;
  }
  return { words: w, sudo };
}

/** Short flags as a set (`-rf` -> r, f) plus long flags; stops at `--`. */
function flags(args: readonly string[]): { short: Set<string>; long: Set<string>; operands: string[] } {
  const short = new Set<string>();
  const long = new Set<string>();
  const operands: string[] = [];
  let done = false;
  for (const a of args) {
    if (done || a === '-' || !a.startsWith('-')) {
      operands.push(a);
      continue;
    }
    if (a === '--') {
      done = true;
      continue;
    }
    if (a.startsWith('--')) long.add(a.split('=')[0]!);
    else for (const ch of a.slice(1)) short.add(ch);
  }
  return { short, long, operands };
}

const BROAD_EXACT = new Set([
  '/',
  '~',
  '$HOME',
  '${HOME}',
  '*',
  '.',
  '..',
  '.*',
  '/*',
  '~/*',
  '$HOME/*',
  '${HOME}/*',
  './*',
  '../*',
  '~/.*',
]);

/** True for targets whose recursive removal wipes a home directory, a system or the whole project. */
export function isBroadPath(target: string): boolean {
  const t = target.length > 1 ? target.replace(/\/+$/, '') : target;
  if (t === '') return true;
  if (BROAD_EXACT.has(t)) return true;
  if (/^(\.\.\/)*\.\.$/.test(t) || /^(\.\.\/)+\*?$/.test(t)) return true;
  // A top-level directory (/etc, /usr, /home) or its contents.
  if (/^\/[^/]+(\/\*)?$/.test(t)) return true;
  // A home directory: /home/<user>, /Users/<user>, /root.
  if (/^\/(home|Users)\/[^/]+(\/\*)?$/.test(t)) return true;
  return false;
}

const DEVICE = /^\/dev\/(sd[a-z]|nvme\d|hd[a-z]|vd[a-z]|xvd[a-z]|mmcblk\d|disk\d|rdisk\d|md\d|dm-\d|mapper\/)/;

function checkProgram(words: string[], depth: number, out: DangerFinding[], original: string): void {
  const { words: w, sudo } = unwrap(words);
  if (sudo) out.push({ kind: 'sudo', command: original });
  if (w.length === 0) return;
  const name = base(w[0]!);
  const args = w.slice(1);

  if (SHELLS.has(name) || name === 'eval') {
    // `bash -c '…'`, `sh -lc "…"`, `eval "…"`: the string is a command line of its own.
    const idx = name === 'eval' ? 0 : args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
    if (name === 'eval' && args.length > 0) scan(args.join(' '), depth + 1, out);
    else if (idx !== -1 && args[idx + 1] !== undefined) scan(args[idx + 1]!, depth + 1, out);
    return;
  }
  if (name === 'rm') {
    const f = flags(args);
    const recursive = f.short.has('r') || f.short.has('R') || f.long.has('--recursive');
    if (recursive && f.operands.some(isBroadPath)) out.push({ kind: 'rm-rf-broad', command: original });
    return;
  }
  if (name === 'git') {
    let i = 0;
    // Global options before the sub-command; -C and -c take a value.
    while (i < args.length && args[i]!.startsWith('-')) i += args[i] === '-C' || args[i] === '-c' ? 2 : 1;
    const sub = args[i];
    const rest = args.slice(i + 1);
    if (sub === 'push') {
      const f = flags(rest);
      const force = f.short.has('f') || f.long.has('--force') || f.operands.some((o) => o.startsWith('+'));
      if (force) out.push({ kind: 'git-push-force', command: original });
      else if (f.long.has('--force-with-lease') || f.long.has('--force-if-includes')) {
        out.push({ kind: 'git-push-force-with-lease', command: original });
      }
    } else if (sub === 'reset' && rest.includes('--hard')) {
      out.push({ kind: 'git-reset-hard', command: original });
    }
    return;
  }
  if (name === 'chmod') {
    const f = flags(args);
    const recursive = f.short.has('R') || f.long.has('--recursive');
    if (recursive && f.operands.some((o) => /^0?777$/.test(o) || /^(a|ugo)?\+rwx$/.test(o))) {
      out.push({ kind: 'chmod-777-recursive', command: original });
    }
    return;
  }
  if (/^mkfs(\..+)?$/.test(name) || name === 'mke2fs' || name === 'wipefs') {
    out.push({ kind: 'disk-write', command: original });
    return;
  }
  if (name === 'dd' && args.some((a) => a.startsWith('of=') && DEVICE.test(a.slice(3)))) {
    out.push({ kind: 'disk-write', command: original });
  }
}

function scan(line: string, depth: number, out: DangerFinding[]): void {
  if (depth > MAX_DEPTH) return;
  const commands = splitCommands(line);
  // `curl … | sh` and `curl … | sudo bash`: a fetch earlier in the same pipeline feeds a shell.
  let fetchInPipeline = false;
  let fetchInSubstitution = false;
  for (const cmd of commands) {
    const original = [...cmd.words, ...cmd.redirects.map((r) => `${r.op}${r.target}`)].join(' ');
    checkProgram(cmd.words, depth, out, original);
    for (const r of cmd.redirects) {
      if (r.op.includes('>') && DEVICE.test(r.target)) out.push({ kind: 'disk-write', command: original });
    }
    const name = base(unwrap(cmd.words).words[0] ?? '');
    const fetch = FETCHERS.has(name);
    if (cmd.substituted) {
      if (fetch) fetchInSubstitution = true;
      continue;
    }
    const interpreter = SHELLS.has(name) || name === 'python' || name === 'python3' || name === 'perl';
    if (cmd.piped && interpreter && fetchInPipeline) out.push({ kind: 'curl-pipe-shell', command: original });
    fetchInPipeline = cmd.piped ? fetchInPipeline || fetch : fetch;
  }
  // `bash <(curl …)` and `sh -c "$(curl …)"`: a shell runs what a substitution fetched.
  if (fetchInSubstitution && !out.some((f) => f.kind === 'curl-pipe-shell')) {
    const shell = commands.find((c) => !c.substituted && SHELLS.has(base(unwrap(c.words).words[0] ?? '')));
    if (shell) out.push({ kind: 'curl-pipe-shell', command: shell.words.join(' ') });
  }
}

const SQL_DROP = /\b(drop\s+(table|database|schema)|truncate\s+(table\s+)?[a-z_"`[])/i;

/** Every dangerous operation in `line`, at most one finding per kind and simple command. */
export function findDangerousCommands(line: string): DangerFinding[] {
  const out: DangerFinding[] = [];
  scan(line, 0, out);
  const collapsed = line.replace(/\s+/g, ' ');
  if (SQL_DROP.test(collapsed)) out.push({ kind: 'sql-drop', command: collapsed.slice(0, 512) });
  const seen = new Set<string>();
  return out.filter((f) => {
    const k = `${f.kind}\u001f${f.command}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
