/**
 * `cctap guard install`: puts the guard in a Claude Code settings file as a PreToolUse command hook, and
 * takes it out again (`--uninstall`). Everything else in the file is kept as it was: the user's other
 * settings, other PreToolUse hooks, other events. A second install with the same command changes nothing
 * (the file is not even rewritten); one with another command (a flag added) replaces ours where it stood.
 *
 * "Ours" is a command hook whose command runs `cctap guard` or `cctap-agent guard` (whatever path or flags
 * it has): that is what an uninstall removes, and all it removes.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface HookHandler {
  type: string;
  command?: string;
  timeout?: number;
  [key: string]: unknown;
}

interface MatcherGroup {
  matcher?: string;
  hooks?: HookHandler[];
  [key: string]: unknown;
}

/** The matcher of our entry: every tool (a rule may look at any tool's input, MCP tools included). */
const GUARD_MATCHER = '*';
/** Seconds Claude Code gives the hook: far above a decision (~0.15 s), low enough to notice a hang. */
const GUARD_TIMEOUT_S = 10;

const OURS = /(^|[\s/])cctap(-agent)?(\.js)?\b[^|;&]*\sguard(\s|$)/;

export const isGuardHook = (h: unknown): boolean =>
  !!h &&
  typeof h === 'object' &&
  typeof (h as HookHandler).command === 'string' &&
  OURS.test((h as HookHandler).command!);

export type InstallOutcome = 'installed' | 'updated' | 'unchanged' | 'removed' | 'absent';

/** The settings with our hook set to `command` (or removed when null), and what that changed. */
export function withGuardHook(
  settings: Record<string, unknown>,
  command: string | null,
): { settings: Record<string, unknown>; outcome: InstallOutcome } {
  const hooks =
    settings.hooks && typeof settings.hooks === 'object' && !Array.isArray(settings.hooks)
      ? (settings.hooks as Record<string, unknown>)
      : {};
  const groups: MatcherGroup[] = Array.isArray(hooks.PreToolUse) ? (hooks.PreToolUse as MatcherGroup[]) : [];
  const wanted: MatcherGroup = {
    matcher: GUARD_MATCHER,
    hooks: [{ type: 'command', command: command ?? '', timeout: GUARD_TIMEOUT_S }],
  };
  const holding = groups.filter((g) => Array.isArray(g?.hooks) && g.hooks.some(isGuardHook));
  if (command !== null && holding.length === 1 && JSON.stringify(holding[0]) === JSON.stringify(wanted))
    return { settings, outcome: 'unchanged' };
  if (command === null && holding.length === 0) return { settings, outcome: 'absent' };

  // Our handlers out of every group; a group left with no handler (ours alone) goes, others stay in place.
  let at = -1;
  const kept: MatcherGroup[] = [];
  for (const g of groups) {
    if (!holding.includes(g)) {
      kept.push(g);
      continue;
    }
    if (at === -1) at = kept.length;
    const rest = g.hooks!.filter((h) => !isGuardHook(h));
    if (rest.length > 0) kept.push({ ...g, hooks: rest });
  }
  if (command !== null) kept.splice(at === -1 ? kept.length : at, 0, wanted);
  const nextHooks: Record<string, unknown> = { ...hooks };
  if (kept.length > 0) nextHooks.PreToolUse = kept;
  else delete nextHooks.PreToolUse;
  const next: Record<string, unknown> = { ...settings };
  if (Object.keys(nextHooks).length > 0) next.hooks = nextHooks;
  else delete next.hooks;
  return {
    settings: next,
    outcome: command === null ? 'removed' : holding.length > 0 ? 'updated' : 'installed',
  };
}

/** Reads `file` (missing: empty settings), applies withGuardHook, writes it back only when it changed. */
export function installGuardHook(file: string, command: string | null): InstallOutcome {
  let settings: Record<string, unknown> = {};
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    let doc: unknown;
    try {
      doc = text.trim() === '' ? {} : JSON.parse(text);
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix it first, nothing was changed`, {
        cause: err,
      });
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc))
      throw new Error(`${file} does not hold a JSON object; fix it first, nothing was changed`);
    settings = doc as Record<string, unknown>;
  }
  const r = withGuardHook(settings, command);
  if (r.outcome === 'unchanged' || r.outcome === 'absent') return r.outcome;
  mkdirSync(dirname(file), { recursive: true });
  // Written beside it and renamed over it: Claude Code, which reads the file when it changes, never sees half.
  const tmp = `${file}.cctap-${process.pid}.tmp`;
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o600;
  writeFileSync(tmp, `${JSON.stringify(r.settings, null, 2)}\n`, { mode });
  renameSync(tmp, file);
  return r.outcome;
}

/** Where an organisation puts the managed settings that every user of a machine gets and cannot override. */
export const MANAGED_SETTINGS_PATHS = {
  macOS: '/Library/Application Support/ClaudeCode/managed-settings.json',
  'Linux and WSL': '/etc/claude-code/managed-settings.json',
  Windows: 'C:\\Program Files\\ClaudeCode\\managed-settings.json',
} as const;

/** The managed-settings snippet that enforces the guard: our hook, and no hooks but the managed ones. */
export function managedSnippet(command: string): string {
  const doc = {
    hooks: {
      PreToolUse: [{ matcher: GUARD_MATCHER, hooks: [{ type: 'command', command, timeout: GUARD_TIMEOUT_S }] }],
    },
    allowManagedHooksOnly: true,
  };
  return JSON.stringify(doc, null, 2);
}
