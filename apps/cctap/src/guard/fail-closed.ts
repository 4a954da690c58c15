/**
 * Claude Code lets a tool call through on any exit code of its PreToolUse hook but 0 and 2, so a guard set
 * to fail closed must end with 2 whatever goes wrong: a bad flag, a module that does not load, an exception
 * thrown where nothing catches it. The guard command answers its own failures; the program's entry asks
 * here for the ones that happen outside it (the command's module failing to load).
 */
import { ENV } from '../environment.js';
import { EXIT } from '../exit-codes.js';

/** A boolean option given as text in the environment (`1`, `true`; empty, `0`, `false`, `no`, `off` are off). */
export const isOn = (v: unknown): boolean =>
  v === true || (typeof v === 'string' && !/^(|0|false|no|off)$/i.test(v.trim()));

/** True when `argv` (after the command name) runs the guard set to fail closed (not `guard install`). */
export function guardFailsClosed(argv: readonly string[]): boolean {
  return !argv.includes('install') && (argv.includes('--fail-closed') || isOn(ENV.CCTAP_GUARD_FAIL_CLOSED));
}

/** Why a call the guard could not judge is blocked: Claude Code's reason. */
export const unjudgedReason = (message: string): string =>
  `cctap guard could not judge this call (${message}) and is set to fail closed, so it is blocked.`;

/** Says why the call is blocked (stderr is Claude Code's reason on exit 2) and returns the exit code. */
export function blockUnjudged(message: string): number {
  console.error(unjudgedReason(message));
  return EXIT.guardBlocked;
}

/** From here on, an exception nothing catches ends the process with exit 2 instead of Node's 1. */
export function exitBlockedOnCrash(): void {
  const crash = (err: unknown) => {
    process.exitCode = blockUnjudged((err instanceof Error ? err.message : String(err)).split('\n')[0]!);
    process.exit();
  };
  process.once('uncaughtException', crash);
  process.once('unhandledRejection', crash);
}
