/**
 * How a failed command says so: one line, `cctap <command>: <what happened>`, and an exit code from
 * exit-codes.ts. A failure the user's setup explains (a server down, a taken port, a bad setting) needs no
 * stack trace; anything else is a bug worth reporting, and `--debug` (or CCTAP_DEBUG=1) shows its stack.
 */
import { constants } from 'node:os';
import { AuthError, ConfigError, ConnectError, GaveUpWaitingError, StoppedWhileWaitingError } from '@cctap/kit/light';
import { EXIT } from './exit-codes.js';

let debug = false;

/** Set once by main.ts from `--debug` / CCTAP_DEBUG before the command runs. */
export function setDebug(on: boolean): void {
  debug = on;
}

/** The exit code of a failure the user can fix from its message alone, or null when it is unexpected. */
export function expectedExit(err: unknown): number | null {
  if (err instanceof GaveUpWaitingError) return EXIT.unreachable;
  // What the shell reports for a process that a signal ended (130 for Ctrl-C, 143 for SIGTERM).
  if (err instanceof StoppedWhileWaitingError) return 128 + (constants.signals[err.signal] ?? 15);
  if (err instanceof ConfigError || err instanceof AuthError || err instanceof ConnectError) return EXIT.failure;
  return null;
}

/** The stack of an error and of each error that caused it. */
function stacks(err: unknown): string {
  const out: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    out.push(`${depth > 0 ? 'caused by: ' : ''}${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (!(e instanceof Error)) break;
  }
  return out.join('\n');
}

/** Prints a failure of `cctap <command>` and returns the exit code to end with. */
export function reportFailure(command: string, err: unknown): number {
  const expected = expectedExit(err);
  const message = err instanceof Error ? err.message : String(err);
  const who = command ? `cctap ${command}` : 'cctap';
  if (debug) {
    console.error(`${who}: ${message}\n${stacks(err)}`);
  } else if (expected !== null) {
    console.error(`${who}: ${message}`);
  } else {
    console.error(`${who}: ${message.split('\n')[0]} (run with --debug for details)`);
  }
  return expected ?? EXIT.failure;
}
