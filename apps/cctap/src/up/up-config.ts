/**
 * `cctap up` options: the kit's config loader (defaults < --config file < CCTAP_* / NATS_URL / CLICKHOUSE_URL
 * < flags) over its declaration (up-spec.ts). Without NATS_URL / CLICKHOUSE_URL everything runs on embedded defaults.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '@cctap/kit';
import { ENV, type Environment } from '../environment.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { alertFilesDir } from '../alerts/alert-access.js';
import { upSpec, type upShape } from './up-spec.js';

export type UpConfig = z.infer<z.ZodObject<typeof upShape>>;

/** The options of `cctap up`; `--help` throws the kit's HelpRequest with the generated option list. */
export function parseUpArgs(argv: string[], env: Environment = ENV): UpConfig {
  const cfg = loadCommandConfig(upSpec, argv, env);
  if (cfg.clickhouse && cfg.data)
    throw new ConfigError('invalid configuration: use either --clickhouse URL or --data DIR, not both');
  if (cfg.clickhouse && !/^https?:\/\//.test(cfg.clickhouse))
    throw new ConfigError(`invalid configuration: --clickhouse must be an http(s) URL, got '${cfg.clickhouse}'`);
  if ((cfg.natsUser === undefined) !== (cfg.natsPassword === undefined))
    throw new ConfigError('invalid configuration: --nats-user and --nats-password go together');
  return cfg;
}

const DEFAULT_HOME = join(homedir(), '.cctap');

/** Checkpoints belong to the store they were delivered to: wiping the data dir re-ingests everything. */
export function stateDirOf(cfg: Pick<UpConfig, 'state' | 'clickhouse'>, dataDir: string | null): string {
  if (cfg.state) return resolve(cfg.state);
  return dataDir && !cfg.clickhouse ? join(dataDir, 'collector') : join(DEFAULT_HOME, 'collector');
}

/** Alert state and silences of `up` on the in-process bus: next to the store they describe. */
export function alerterDirOf(cfg: Pick<UpConfig, 'clickhouse'>, dataDir: string | null): string {
  return alertFilesDir(dataDir && !cfg.clickhouse ? dataDir : DEFAULT_HOME);
}
