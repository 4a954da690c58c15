/**
 * `cctap up` options: the kit's config loader (defaults < --config file < CCTAP_* / NATS_URL / CLICKHOUSE_URL
 * < flags) over the kit's base and NATS fields, the collector's identity and privacy fields, the alerter's
 * receivers, and up's own. Without NATS_URL / CLICKHOUSE_URL everything runs on embedded defaults.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { collectShape } from '@cctap/collector';
import { baseConfigShape, ConfigError, loadConfig, natsConfigShape } from '@cctap/kit';
import { alerterRulesShape } from '../alerter-rules.js';
import { alertFilesDir } from '../alerts/alert-access.js';

export const upShape = {
  ...baseConfigShape,
  ...natsConfigShape,
  // Unlike the services, up needs no server: without NATS_URL it runs the in-process bus.
  nats: z.string().optional(),
  // A laptop tool: metrics on loopback unless asked otherwise.
  metricsHost: z.string().default('127.0.0.1'),
  logFormat: z.enum(['json', 'pretty']).default('pretty'),
  /** ClickHouse server URL (env CLICKHOUSE_URL); without it the embedded engine in `data`. */
  clickhouse: z.string().optional(),
  /** Embedded store directory (env CCTAP_DATA; default ~/.cctap/data). */
  data: z.string().optional(),
  /** Collector checkpoints; default <data>/collector (embedded) or ~/.cctap/collector (server). */
  state: z.string().optional(),
  root: collectShape.root,
  host: collectShape.host,
  osUser: collectShape.osUser,
  hashUser: collectShape.hashUser,
  privacy: collectShape.privacy,
  since: collectShape.since,
  labels: collectShape.labels,
  once: z.boolean().default(false),
  demo: z.boolean().default(false),
  demoSpeed: z.coerce.number().positive().max(100).default(1),
  quiet: z.boolean().default(false),
  /** Price file over the shipped book (env CCTAP_PRICES; default ~/.cctap/prices.json when it exists). */
  prices: z.string().optional(),
  /** Seconds between status lines (active sessions, today's tokens and cost); 0: none. */
  statusSeconds: z.coerce.number().int().min(0).default(30),
  ...alerterRulesShape,
};

export type UpConfig = z.infer<z.ZodObject<typeof upShape>>;

export const UP_USAGE = `usage: cctap up [--root DIR]... [--data DIR | --clickhouse URL] [--nats URL] [--once] [--demo [--demo-speed N]]
       [--metrics-port N] [--quiet] [--log-format pretty|json] [--log-level debug|info|warn|error]
       [--privacy metadata|redacted|full] [--since DATE] [--host NAME] [--state DIR] [--status-seconds N]
       [--webhook-url URL [--webhook-secret S]] [--slack-webhook-url URL] [--rules FILE] [--config FILE]
       [--prices FILE]

The whole pipeline in one process: collector, validator, analyzer, alerter and sink on an in-process bus
and the embedded ClickHouse in ~/.cctap/data, or on real servers when NATS_URL / CLICKHOUSE_URL are set.
  --once        backfill what exists, flush it all into the store, print the summary; exit 0, or 3 when
                something was not stored (dead letters, unreadable entries: the summary names them), 1 when stopped early
  --demo        replay the sample transcripts shipped with cctap, live, into a temporary store
  --prices FILE price file over the shipped book; every stored response is re-priced with it at start
Every flag also reads from CCTAP_<FLAG> (NATS_URL, CLICKHOUSE_URL) and from --config. See README.md.`;

export function parseUpArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): UpConfig | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const cfg = loadConfig({ shape: upShape, argv, env });
  if (cfg.clickhouse && cfg.data) throw new ConfigError('invalid configuration: use either --clickhouse URL or --data DIR, not both');
  if (cfg.clickhouse && !/^https?:\/\//.test(cfg.clickhouse)) throw new ConfigError(`invalid configuration: --clickhouse must be an http(s) URL, got '${cfg.clickhouse}'`);
  if ((cfg.natsUser === undefined) !== (cfg.natsPassword === undefined)) throw new ConfigError('invalid configuration: --nats-user and --nats-password go together');
  return cfg;
}

export const DEFAULT_HOME = join(homedir(), '.cctap');

/** Checkpoints belong to the store they were delivered to: wiping the data dir re-ingests everything. */
export function stateDirOf(cfg: Pick<UpConfig, 'state' | 'clickhouse'>, dataDir: string | null): string {
  if (cfg.state) return resolve(cfg.state);
  return dataDir && !cfg.clickhouse ? join(dataDir, 'collector') : join(DEFAULT_HOME, 'collector');
}

/** Alert state and silences of `up` on the in-process bus: next to the store they describe. */
export function alerterDirOf(cfg: Pick<UpConfig, 'clickhouse'>, dataDir: string | null): string {
  return alertFilesDir(dataDir && !cfg.clickhouse ? dataDir : DEFAULT_HOME);
}
