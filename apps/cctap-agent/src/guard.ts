/**
 * `cctap-agent guard`: the Claude Code PreToolUse hook. The entry exists so that the command line (and the
 * hook configuration people write against it) is settled; the checks come in a later version. Until then it
 * answers like a guard that cannot judge a call: exit 2, which Claude Code takes as "blocked", so wiring it
 * in early can never let through what a guard is meant to stop.
 */
import { EXIT } from '../../cctap/dist/exit-codes.js';
import { printHelp } from '../../cctap/dist/flags/command-help.js';
import type { CommandSpec } from '../../cctap/dist/flags/command-spec.js';
import type { Command } from '../../cctap/dist/commands/registry.js';

const spec: CommandSpec = {
  name: 'guard',
  summary: 'Claude Code PreToolUse hook that checks tool calls against the guard rules (not available yet)',
  usage: `usage: cctap-agent guard

A Claude Code PreToolUse hook (not available yet in this version). Claude Code runs it before each tool
call with the call as JSON on stdin; it will check the call against the guard rules and answer allow, ask
or deny. A call it cannot judge (a crash, rules it cannot read) is blocked, never waved through.`,
  notes: `It will be configured in ~/.claude/settings.json (or a project's .claude/settings.json):
  {"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": "cctap-agent guard", "timeout": 10}]}]}}

Until it is available it exits 2 for every call, which blocks the call: do not configure it yet.`,
};

export const command: Command = {
  spec,
  run: async (argv) => {
    if (argv.includes('--help') || argv.includes('-h')) return printHelp(spec);
    // stderr: on exit 2 Claude Code gives it to the model as the reason the call was blocked.
    console.error(
      "cctap-agent guard: not available yet in this version; run 'cctap-agent guard --help' for what it will do",
    );
    return EXIT.usage;
  },
};
