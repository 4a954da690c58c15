/**
 * `cctap guard` (and `cctap-agent guard`, the same module): Claude Code's PreToolUse hook. Judges each tool
 * call against the alerter's rules that carry a `guard:` action (guard/run-guard.ts), and `cctap guard
 * install` writes the hook into Claude Code's settings (guard/settings-install.ts).
 *
 * The decision path is kept small: this module loads the hook-protocol pieces only, the installer and the
 * help load when asked for, and a crash anywhere in `run` is turned into the fail-closed answer when one is
 * configured (Claude Code lets a call through on any exit code but 0 and 2).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readStdin } from '../read-stdin.js';
import { ENV, envValue } from '../environment.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { parseCommandLine } from '../flags/parse-command.js';
import { DEFAULT_DECISIONS_FILE } from '../guard/decision-log.js';
import { blockUnjudged, exitBlockedOnCrash, guardFailsClosed, isOn } from '../guard/fail-closed.js';
import { runGuard } from '../guard/run-guard.js';
import type { Command } from './registry.js';
import { SUMMARIES } from './summaries.js';

const FLAGS = {
  rules: {
    type: 'string',
    arg: 'FILE',
    env: 'CCTAP_GUARD_RULES',
    shownDefault: 'the shipped rule pack',
    description: "the alerter's rule file (YAML or JSON); its rules with guard: deny|ask apply",
  },
  'fail-closed': {
    type: 'boolean',
    env: 'CCTAP_GUARD_FAIL_CLOSED',
    description: 'block a call the guard cannot judge (bad input, unreadable rules, a crash) instead of letting it run',
  },
  decisions: {
    type: 'string',
    arg: 'FILE',
    env: 'CCTAP_GUARD_DECISIONS',
    shownDefault: '~/.cctap/guard/decisions.jsonl',
    description: 'where each decision is appended (the collector publishes it)',
  },
  settings: {
    type: 'string',
    arg: 'FILE',
    only: ['install'],
    shownDefault: '~/.claude/settings.json',
    description: 'the Claude Code settings file the hook is written into',
  },
  uninstall: { type: 'boolean', only: ['install'], description: 'remove the guard hook (and nothing else)' },
  command: {
    type: 'string',
    arg: 'CMD',
    only: ['install'],
    description:
      "the hook's command (default: this program's guard, with the --rules, --decisions and --fail-closed given)",
  },
} as const;

function specOf(program: string) {
  return {
    name: 'guard',
    summary: SUMMARIES.guard,
    usage: `usage: ${program} guard [--rules FILE] [--fail-closed] [--decisions FILE]
       ${program} guard install [--settings FILE] [--uninstall] [--command CMD] [--rules FILE] [--decisions FILE]
         [--fail-closed]

A Claude Code PreToolUse hook. Claude Code runs it before each tool call with the call as JSON on stdin; it
checks the call against the rules that carry a guard action (the shipped pack denies dangerous commands such
as rm -rf ~ or curl | sh and access to secret files such as .env or id_rsa, and asks about sudo and
git push --force-with-lease) and answers deny or ask in Claude Code's hook protocol; a call no rule objects
to gets no answer and goes on to Claude Code's own permission rules. Each decision is appended to the
decisions file, which 'cctap collect' and 'cctap up' publish as guard events (the guard_decisions view).

'${program} guard install' writes the hook into ~/.claude/settings.json (idempotent; other settings and
hooks are kept; --uninstall removes only this hook) and prints the managed-settings snippet an organisation
deploys to enforce it.`,
    notes: `A call the guard cannot judge goes ahead (exit 1, a non-blocking error) unless --fail-closed is set:
then it is blocked (exit 2, the reason on stderr). Rules: docs/guard.md.`,
    positionals: '[install]',
    flags: FLAGS,
  } as const satisfies CommandSpec;
}

export const spec = specOf('cctap');

/** Claude Code writes the call at once and closes stdin; this only bounds a caller that never closes it. */
const STDIN_MS = 3000;

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

async function install(
  program: string,
  values: Record<string, unknown>,
  given: Record<string, unknown>,
): Promise<number> {
  const { installGuardHook, managedSnippet, MANAGED_SETTINGS_PATHS } = await import('../guard/settings-install.js');
  const claudeDir = envValue('CLAUDE_CONFIG_DIR')?.split(',')[0]?.trim() || join(homedir(), '.claude');
  const file = typeof values.settings === 'string' ? values.settings : join(claudeDir, 'settings.json');
  const command =
    typeof values.command === 'string'
      ? values.command
      : [
          `${program} guard`,
          // Absolute: Claude Code runs the hook in the session's directory.
          ...(typeof given.rules === 'string' ? [`--rules ${quote(resolve(given.rules))}`] : []),
          ...(typeof given.decisions === 'string' ? [`--decisions ${quote(resolve(given.decisions))}`] : []),
          ...(isOn(given['fail-closed']) ? ['--fail-closed'] : []),
        ].join(' ');
  const outcome = installGuardHook(file, values.uninstall === true ? null : command);
  const said = {
    installed: `installed the PreToolUse hook '${command}' in ${file}`,
    updated: `updated the PreToolUse hook in ${file} to '${command}'`,
    unchanged: `${file} already has the PreToolUse hook '${command}'; nothing changed`,
    removed: `removed the cctap guard hook from ${file}`,
    absent: `${file} has no cctap guard hook; nothing changed`,
  }[outcome];
  console.log(said);
  if (values.uninstall !== true) {
    const paths = Object.entries(MANAGED_SETTINGS_PATHS)
      .map(([os, p]) => `  ${`${os}:`.padEnd(15)} ${p}`)
      .join('\n');
    console.log(
      `\nTo enforce it for every user of a machine, an organisation deploys managed settings (root-owned; users\ncannot override them, and allowManagedHooksOnly ignores every hook but these):\n${paths}\n\n${managedSnippet(command)}`,
    );
  }
  return EXIT.ok;
}

export function guardCommand(program: string): Command {
  const spec = specOf(program);
  return {
    spec,
    async run(argv) {
      // Read before anything can fail, so that even a bad flag is answered fail-closed when it is asked for.
      const failClosed = guardFailsClosed(argv);
      if (failClosed) exitBlockedOnCrash();
      try {
        const { values, given, positionals, help } = parseCommandLine(spec, argv);
        if (help) {
          const { printHelp } = await import('../flags/command-help.js');
          return await printHelp(spec);
        }
        const sub = positionals[0];
        if (sub === 'install') return await install(program, values, given);
        if (sub !== undefined) throw new Error(`unknown sub-command '${sub}' (only 'install')`);
        const misplaced = Object.keys(values).find((k) => 'only' in FLAGS[k as keyof typeof FLAGS]);
        if (misplaced) throw new Error(`--${misplaced} goes with '${program} guard install'`);
        return await runGuard(
          {
            rulesFile: values.rules,
            failClosed: isOn(values['fail-closed']),
            decisionsFile: values.decisions ?? DEFAULT_DECISIONS_FILE,
            env: ENV,
          },
          { stdin: () => readStdin(STDIN_MS), out: (t) => console.log(t), err: (t) => console.error(t) },
        );
      } catch (err) {
        const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
        if (failClosed) return blockUnjudged(message ?? '');
        // Not exit 2 (usage): Claude Code would read it as a block. Unasked, the guard fails open.
        console.error(`${program} guard: ${message}`);
        return EXIT.failure;
      }
    },
  };
}

export const command: Command = guardCommand('cctap');
