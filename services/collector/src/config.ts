/**
 * `cctap collect` configuration: the kit's config loader (schema defaults < `--config` file < CCTAP_* and
 * NATS_URL environment < flags) over the kit's base and NATS fields plus the collector's own. Every bad
 * field or flag is one line naming it (`invalid configuration: --since: not a date ...`).
 */
import { createHash } from 'node:crypto';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { PRIVACY_MODES, sanitizeToken } from '@cctap/events';
import { baseConfigShape, ConfigError, loadConfig, natsConfigShape } from '@cctap/kit';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

export const collectShape = {
  ...baseConfigShape,
  ...natsConfigShape,
  // No default server: a laptop agent pointed at nothing should say so, not publish into a local void.
  nats: z.string({ error: 'is required (a URL such as nats://nats.example:4222, or NATS_URL)' }).min(1),
  // A laptop agent's probes (metrics name projects and hosts) are for this machine only; a container that
  // is scraped from outside sets `--metrics-host 0.0.0.0` (docker-compose.yml does).
  metricsHost: z.string().default('127.0.0.1'),
  /** Claude config directories (repeatable); default: CLAUDE_CONFIG_DIR, ~/.config/claude, ~/.claude. */
  root: z.array(z.string().min(1)).default([]),
  state: z.string().default(join(homedir(), '.cctap', 'collector')),
  host: z.string().min(1).optional(),
  /** The OS user recorded on events; `hashUser` replaces it by a short hash. */
  osUser: z.string().min(1).optional(),
  hashUser: z.boolean().default(false),
  privacy: z.enum(PRIVACY_MODES).default('redacted'),
  since: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date (use e.g. 2026-01-31)')
    .optional(),
  labels: z.record(z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'label names are [a-zA-Z0-9_.-]{1,64}'), z.string().max(512)).default({}),
  once: z.boolean().default(false),
  sweepMs: positiveInt.default(1000),
  fullSweepMs: positiveInt.default(30_000),
  hotWindowMs: positiveInt.default(10 * 60_000),
  heartbeatSeconds: z.coerce.number().int().min(0).default(30),
  stringCap: positiveInt.optional(),
  // Tuning (defaults are what the benchmarks in docs/benchmarks.md measured):
  batchLines: positiveInt.optional(),
  maxInFlight: positiveInt.optional(),
  readChunkBytes: positiveInt.optional(),
  checkpointFlushMs: positiveInt.optional(),
};

export type CollectConfig = z.infer<z.ZodObject<typeof collectShape>>;

export const COLLECT_USAGE = `usage: cctap collect --nats URL [--nats-creds-file FILE | --nats-user U --nats-password P]
       [--nats-tls-ca FILE --nats-tls-cert FILE --nats-tls-key FILE] [--root DIR]... [--state DIR] [--host NAME]
       [--os-user NAME] [--hash-user] [--privacy metadata|redacted|full] [--since DATE] [--config FILE]
       [--metrics-port N] [--metrics-host H (127.0.0.1)] [--once] [--log-level debug|info|warn|error] [--shutdown-timeout-ms N]
       [--sweep-ms N] [--full-sweep-ms N] [--hot-window-ms N] [--batch-lines N] [--max-in-flight N]
Every flag also reads from CCTAP_<FLAG> (NATS_URL for --nats) and from the --config file (YAML or JSON).`;

/** Parses flags, environment and the optional config file; throws ConfigError with one line naming the bad field. */
export function parseCollectArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CollectConfig | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const cfg = loadConfig({ shape: collectShape, argv, env });
  if ((cfg.natsUser === undefined) !== (cfg.natsPassword === undefined)) throw new ConfigError('invalid configuration: --nats-user and --nats-password go together');
  return cfg;
}

/** The host token and user this collector writes on every event. */
export function identityFrom(cfg: Pick<CollectConfig, 'host' | 'osUser' | 'hashUser'>): { host: string; user: string } {
  const host = sanitizeToken(cfg.host ?? hostname());
  let user = cfg.osUser ?? safeUser();
  if (cfg.hashUser) user = `u-${createHash('sha256').update(user).digest('hex').slice(0, 12)}`;
  return { host, user };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
