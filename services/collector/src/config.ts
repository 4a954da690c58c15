/**
 * `cctap collect` configuration: the kit's config loader (schema defaults < `--config` file < CCTAP_* and
 * NATS_URL environment < flags) over its shape (collect-shape.ts). Every bad
 * field or flag is one line naming it (`invalid configuration: --since: not a date ...`).
 */
import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { sanitizeToken } from '@cctap/events';
import { ConfigError, loadConfig } from '@cctap/kit';
import { collectShape, type CollectConfig } from './collect-shape.js';

/**
 * Parses flags, environment (as the application read it) and the optional config file; throws ConfigError
 * with one line naming the bad field. `usage` heads the generated `--help` (the app's command declaration).
 */
export function parseCollectArgs(
  argv: string[],
  env: Readonly<Record<string, string | undefined>>,
  usage?: string,
): CollectConfig {
  const cfg = loadConfig({ shape: collectShape, argv, env, ...(usage !== undefined ? { usage } : {}) });
  if ((cfg.natsUser === undefined) !== (cfg.natsPassword === undefined))
    throw new ConfigError('invalid configuration: --nats-user and --nats-password go together');
  return cfg;
}

/**
 * The host token and user this collector writes on every event. `envUser` (the environment's USER) names
 * the user when the OS cannot.
 */
export function identityFrom(
  cfg: Pick<CollectConfig, 'host' | 'osUser' | 'hashUser'>,
  envUser?: string,
): { host: string; user: string } {
  const host = sanitizeToken(cfg.host ?? hostname());
  let user = cfg.osUser ?? safeUser(envUser);
  if (cfg.hashUser) user = `u-${createHash('sha256').update(user).digest('hex').slice(0, 12)}`;
  return { host, user };
}

function safeUser(envUser: string | undefined): string {
  try {
    return userInfo().username;
  } catch {
    return envUser ?? 'unknown';
  }
}
