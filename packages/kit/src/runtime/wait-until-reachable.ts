/**
 * Waiting for a server that is not there yet (NATS, a ClickHouse server). The first failed attempt says
 * "waiting for <what> at <where>" at once, every retry says its attempt number and when the next one comes,
 * and a later success says the wait is over, so a user never looks at a silent process.
 *
 * Long-running services wait for ever (their policy has no giveUpAfterMs): a supervisor expects a service
 * to wait for its dependencies, and a crash loop would only add noise. One-shot commands (provision,
 * migrate, report, `--once`) give up after CCTAP_WAIT_SECONDS (default 30) with a GaveUpWaitingError.
 * SIGINT or SIGTERM while waiting ends the wait with a StoppedWhileWaitingError, so the command still closes
 * what it opened before (nothing else handles signals yet at that point).
 */
import { ConfigError, GaveUpWaitingError, StoppedWhileWaitingError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { backoffDelay } from '../time/backoff.js';
import { sleep } from '../time/sleep.js';

export interface WaitPolicy {
  /** Give up after this long; absent: wait for ever. */
  giveUpAfterMs?: number;
  /** Where the waiting lines go; plain lines on stderr when absent (one-shot commands have no logger). */
  logger?: Logger;
}

export const WAIT_SECONDS_ENV = 'CCTAP_WAIT_SECONDS';
const DEFAULT_ONE_SHOT_WAIT_SECONDS = 30;

export interface OneShotWaitOptions {
  /** The value of CCTAP_WAIT_SECONDS, as the application read it from its environment. */
  waitSeconds?: string | undefined;
  logger?: Logger;
}

/** How long a one-shot command waits for a server: CCTAP_WAIT_SECONDS (0 waits for ever), default 30 s. */
export function oneShotWait(o: OneShotWaitOptions = {}): WaitPolicy {
  const { logger } = o;
  const raw = o.waitSeconds;
  const seconds = raw === undefined || raw.trim() === '' ? DEFAULT_ONE_SHOT_WAIT_SECONDS : Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new ConfigError(`${WAIT_SECONDS_ENV} must be a number of seconds (0 waits for ever), got '${raw}'`);
  return { ...(seconds > 0 ? { giveUpAfterMs: seconds * 1000 } : {}), ...(logger ? { logger } : {}) };
}

/** 0.5 s, 1 s, 2 s, 4 s, then every 5 s: a server that comes back is used within 5 s, and the log gets a line per retry, not a flood. */
function retryDelayMs(attempt: number): number {
  return backoffDelay(attempt, { baseMs: 500, capMs: 5000, jitter: 'none' });
}

/** The longest one attempt may take: a host that drops packets must not hold the first waiting line back for long. */
const ATTEMPT_TIMEOUT_MS = 5000;

export interface ReachOptions<T> {
  /** What is waited for, as a user names it: `NATS`, `ClickHouse`. */
  what: string;
  /** Its address, without a password. */
  where: string;
  /** One try; gets the time it may take. */
  attempt: (timeoutMs: number) => Promise<T>;
  /** False for a failure that waiting cannot fix (refused credentials, a bad setting): thrown at once. */
  retryable: (err: unknown) => boolean;
  policy: WaitPolicy;
  /** Releases what an attempt that succeeded after a stop signal opened (a connection). */
  discard?: (result: T) => Promise<void> | void;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s` : `${Math.round(ms / 1000)}s`;
}

/** The failure in a few words: the error's first line (the client's own words, e.g. `connection refused`). */
function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

export async function waitUntilReachable<T>(o: ReachOptions<T>): Promise<T> {
  const { giveUpAfterMs, logger } = o.policy;
  const say = (msg: string, fields: Record<string, unknown>) =>
    logger ? logger.warn(msg, fields) : process.stderr.write(`${msg}\n`);
  let stopped: NodeJS.Signals | null = null;
  const stopping = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    stopped = sig;
    stopping.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const stop = (sig: NodeJS.Signals) =>
    new StoppedWhileWaitingError(`stopped (${sig}) while waiting for ${o.what} at ${o.where}`, sig);
  const started = Date.now();
  try {
    for (let attempt = 1; ; attempt++) {
      const left = giveUpAfterMs === undefined ? ATTEMPT_TIMEOUT_MS : giveUpAfterMs - (Date.now() - started);
      try {
        const result = await o.attempt(Math.max(250, Math.min(ATTEMPT_TIMEOUT_MS, left)));
        if (stopped) {
          await o.discard?.(result);
          throw stop(stopped);
        }
        if (attempt > 1)
          say(
            `${o.what} at ${o.where} is reachable after ${attempt} attempts (${seconds(Date.now() - started)}); going on`,
            { attempt, waitedMs: Date.now() - started },
          );
        return result;
      } catch (err) {
        if (err instanceof StoppedWhileWaitingError) throw err;
        if (stopped) throw stop(stopped);
        if (!o.retryable(err)) throw err;
        const elapsed = Date.now() - started;
        const reason = reasonOf(err);
        if (giveUpAfterMs !== undefined && elapsed >= giveUpAfterMs) {
          throw new GaveUpWaitingError(
            `gave up waiting for ${o.what} at ${o.where} after ${seconds(giveUpAfterMs)} (${attempt} attempts, last: ${reason}); start it or fix the address, or set ${WAIT_SECONDS_ENV} to wait longer (0 waits for ever)`,
            { cause: err },
          );
        }
        // The last try is made at the deadline itself, so a server that comes up just before it is still used.
        const delay =
          giveUpAfterMs === undefined
            ? retryDelayMs(attempt)
            : Math.min(retryDelayMs(attempt), giveUpAfterMs - elapsed);
        say(
          `waiting for ${o.what} at ${o.where}: ${reason} (attempt ${attempt}, next in ${seconds(delay)}${giveUpAfterMs === undefined ? '' : `, giving up after ${seconds(giveUpAfterMs)}`})`,
          { attempt, retryInMs: delay },
        );
        await sleep(delay, stopping.signal);
        if (stopped) throw stop(stopped);
      }
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
