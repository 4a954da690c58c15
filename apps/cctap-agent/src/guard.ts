/**
 * `cctap-agent guard`: the Claude Code PreToolUse hook on a developer machine, the very module behind
 * `cctap guard` (same flags, same rules, same decisions file), named for this program in its help and in
 * the hook command `install` writes.
 */
import { guardCommand } from '../../cctap/dist/commands/guard.js';

export const command = guardCommand('cctap-agent');
