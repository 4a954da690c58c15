/**
 * Error classes a handler throws to tell the consumer loop what to do with the message it was given.
 *
 *   handler returns                 -> ack
 *   throws RetryableError           -> nak(delayMs)    redelivered after the delay (default: the loop's backoff)
 *   throws PermanentError           -> term(reason)    never redelivered; the dead-letter forwarder moves it
 *                                                      to `cctap.dlq.<consumer>` with the reason
 *   throws anything else            -> nak(backoff)    an unexpected failure is retried with growing delays
 *                                                      until max_deliver, then it is dead-lettered too
 *
 * A batch handler's throw applies to every message of the batch it has not settled itself.
 */
import { backoffDelay } from './time/backoff.js';

export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  /** How long to wait before the redelivery; undefined lets the loop pick its backoff. */
  readonly delayMs: number | undefined;
  constructor(message: string, opts: { delayMs?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.delayMs = opts.delayMs;
  }
}

export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  /** Why the message can never succeed; travels to the dead-letter record. */
  readonly reason: string;
  constructor(reason: string, opts: { cause?: unknown } = {}) {
    super(reason, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.reason = reason;
  }
}

/** A configuration value is missing or wrong; the CLI prints the message as one line and exits 1. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
}

/** The NATS server refused our credentials; retrying with the same ones cannot help. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
}

/** The NATS server could not be reached (only raised when not waiting for the first connect). */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
}

/**
 * The port a server was asked to listen on is taken (a second instance, another program). A ConfigError: the
 * user fixes it by choosing another port, and the command says which one was taken and how.
 */
export class PortInUseError extends ConfigError {
  override readonly name = 'PortInUseError';
}

/**
 * A dependency (NATS, a ClickHouse server) did not become reachable within the time a one-shot command
 * waits for it (wait-until-reachable.ts). Its own class so the CLI can give it its own exit code: a script
 * can tell "the server was down" from "the command failed".
 */
export class GaveUpWaitingError extends Error {
  override readonly name = 'GaveUpWaitingError';
}

/**
 * SIGINT or SIGTERM came while waiting for a server (wait-until-reachable.ts): the command closes what it
 * had opened (the store, up.json, the probe port) and ends as that signal would have ended it.
 */
export class StoppedWhileWaitingError extends Error {
  override readonly name = 'StoppedWhileWaitingError';
  constructor(
    message: string,
    readonly signal: NodeJS.Signals,
  ) {
    super(message);
  }
}

/** The delay before redelivering after an unexpected failure: 1 s, 2 s, 4 s … capped at 60 s. */
export function backoffMs(deliveryCount: number): number {
  return backoffDelay(deliveryCount, { baseMs: 1000, capMs: 60_000, jitter: 'none' });
}
