/**
 * The exit codes of every `cctap` command, in one place (README, "Exit codes"), so scripts and service
 * managers can tell a server that was down from a command that failed.
 */
export const EXIT = {
  ok: 0,
  /** Failed: a bad setting or file, refused credentials, a taken port, an unexpected error. */
  failure: 1,
  /** The command line is wrong: unknown command or option, a bad value. */
  usage: 2,
  /** `up --once` finished, but something was not stored (dead letters, unreadable entries). */
  incomplete: 3,
  /** A one-shot command gave up waiting for NATS or ClickHouse (CCTAP_WAIT_SECONDS, default 30). */
  unreachable: 4,
  /**
   * `cctap guard` could not judge a tool call and is set to fail closed: Claude Code's PreToolUse protocol
   * blocks the call on exit 2 (and only then), with stderr as the reason. Same number as `usage`, on purpose.
   */
  guardBlocked: 2,
  // Stopped by a signal while waiting for a server: 128 + the signal's number, as a shell reports it
  // (130 Ctrl-C, 143 SIGTERM; failure.ts).
} as const;
