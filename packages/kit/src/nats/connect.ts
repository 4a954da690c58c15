/**
 * One way to connect to NATS for every service: reconnect forever (`maxReconnectAttempts: -1`), keep trying
 * when the server is not up yet (waitUntilReachable: a "waiting for NATS at …" line at once, every retry
 * logged; for ever, or until `giveUpAfterMs` for one-shot commands), named connections (visible in server
 * monitoring), every auth method we support, and status events logged and counted.
 *
 * An authentication failure is an AuthError (the CLI prints it as one line): retrying with the same
 * credentials cannot succeed, so we fail instead of looping.
 */
import { readFileSync } from 'node:fs';
import {
  AuthorizationError,
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type Authenticator,
  type NatsConnection,
  type NodeConnectionOptions,
  UserAuthenticationExpiredError,
} from '@nats-io/transport-node';
import { AuthError, ConfigError, ConnectError } from '../errors.js';
import { waitUntilReachable } from '../runtime/wait-until-reachable.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/registry.js';

export interface NatsConnectOptions {
  /** One URL or a comma-separated list, e.g. `nats://127.0.0.1:4222`. */
  servers: string;
  /** Connection name shown by the server (`cctap-validator@host`). */
  name: string;
  user?: string;
  password?: string;
  token?: string;
  /** File holding an NKey user seed (`SU…`). */
  nkeySeedFile?: string;
  /** File holding a JWT + seed (`.creds`, from nsc). */
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Private reply prefix so a host's credential need not subscribe to all of `_INBOX.>`. */
  inboxPrefix?: string;
  /** False for one attempt and a ConnectError when no server is there (tests, quick status commands). Default true. */
  waitOnFirstConnect?: boolean;
  /** Without waitOnFirstConnect: how long the one attempt may take. */
  timeoutMs?: number;
  /** With waitOnFirstConnect: give up (GaveUpWaitingError) after this long; absent: wait for ever. */
  giveUpAfterMs?: number;
  logger?: Logger;
  metrics?: Metrics;
}

function readFile(what: string, file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

/**
 * The server refused the credentials: nats.js parses the server's -ERR into its own classes (an authorization
 * violation, an authentication timeout or expiry), on the error or on its cause.
 */
function isAuthFailure(err: unknown): boolean {
  const refused = (e: unknown) => e instanceof AuthorizationError || e instanceof UserAuthenticationExpiredError;
  return refused(err) || (err instanceof Error && refused(err.cause));
}

/** The server list as logs may show it: a password in a URL is masked. */
function serversForLog(servers: string): string {
  return servers.replace(/\/\/([^:@/]+):[^@/]*@/g, '//$1:***@');
}

export async function connectNats(opts: NatsConnectOptions): Promise<NatsConnection> {
  const log = opts.logger ?? silentLogger;
  const authenticator: Authenticator[] = [];
  if (opts.nkeySeedFile)
    authenticator.push(
      nkeyAuthenticator(
        new TextEncoder().encode(new TextDecoder().decode(readFile('nkey seed file', opts.nkeySeedFile)).trim()),
      ),
    );
  if (opts.credsFile) authenticator.push(credsAuthenticator(readFile('creds file', opts.credsFile)));
  const tls = opts.tls && (opts.tls.caFile || opts.tls.certFile || opts.tls.keyFile) ? { ...opts.tls } : undefined;
  const wait = opts.waitOnFirstConnect ?? true;
  const options: NodeConnectionOptions = {
    servers: opts.servers
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    name: opts.name,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: wait,
    reconnectTimeWait: 1000,
    noAsyncTraces: true,
    ...(opts.user ? { user: opts.user, pass: opts.password ?? '' } : {}),
    ...(opts.token ? { token: opts.token } : {}),
    ...(authenticator.length > 0 ? { authenticator } : {}),
    ...(tls ? { tls } : {}),
    ...(opts.inboxPrefix ? { inboxPrefix: opts.inboxPrefix } : {}),
    ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
  };

  const where = serversForLog(opts.servers);
  const once = async (o: NodeConnectionOptions): Promise<NatsConnection> => {
    try {
      return await connect(o);
    } catch (err) {
      if (isAuthFailure(err))
        throw new AuthError(`NATS refused the credentials for ${where}: ${(err as Error).message}`);
      throw err;
    }
  };
  let nc: NatsConnection;
  if (wait) {
    // Our own first-connect loop rather than the client's waitOnFirstConnect, which retries without a word.
    nc = await waitUntilReachable({
      what: 'NATS',
      where,
      attempt: (timeout) => once({ ...options, waitOnFirstConnect: false, timeout }),
      retryable: (err) => !(err instanceof AuthError),
      discard: (conn) => conn.close(),
      policy: {
        ...(opts.giveUpAfterMs !== undefined ? { giveUpAfterMs: opts.giveUpAfterMs } : {}),
        ...(opts.logger ? { logger: opts.logger } : {}),
      },
    });
  } else {
    try {
      nc = await once(options);
    } catch (err) {
      if (err instanceof AuthError) throw err;
      throw new ConnectError(`cannot connect to NATS at ${where}: ${(err as Error).message}`, { cause: err });
    }
  }

  const events = opts.metrics?.counter('cctap_nats_connection_events_total', 'NATS connection status changes', [
    'event',
  ]);
  void (async () => {
    for await (const s of nc.status()) {
      switch (s.type) {
        case 'disconnect':
        case 'reconnect':
        case 'ldm':
        case 'staleConnection':
          events?.inc({ event: s.type });
          log.warn(`nats ${s.type}`, { server: 'server' in s ? s.server : undefined });
          break;
        case 'error':
          events?.inc({ event: 'error' });
          // The message says it all (a permissions violation names the subject); the stack is the client's.
          log.error(`nats error: ${s.error.message}`);
          break;
        default:
          break;
      }
    }
  })().catch(() => undefined);
  log.info('nats connected', { server: nc.getServer(), name: opts.name });
  return nc;
}

/** The server's version as [major, minor, patch], e.g. [2, 9, 10]. */
export function serverVersion(nc: NatsConnection): [number, number, number] {
  const v = nc.info?.version ?? '0.0.0';
  const [a = 0, b = 0, c = 0] = v.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  return [a, b, c];
}
