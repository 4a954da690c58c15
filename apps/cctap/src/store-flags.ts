/**
 * `--clickhouse URL | --data DIR` of the one-shot commands that open the store (migrate, report, sql), and
 * the store options they mean: flags win over CLICKHOUSE_URL / CCTAP_DATA (the store's storeOptionsFrom),
 * and a ClickHouse server is waited for as long as CCTAP_WAIT_SECONDS says.
 */
import type { StoreEnv, StoreOptions } from '@cctap/store';
import { ENV, envValue, type Environment } from './environment.js';
import type { FlagSpec } from './flags/command-spec.js';

export const STORE_FLAGS = {
  clickhouse: { type: 'string', arg: 'URL', env: 'CLICKHOUSE_URL', description: 'a ClickHouse server' },
  data: {
    type: 'string',
    arg: 'DIR',
    env: 'CCTAP_DATA',
    shownDefault: '~/.cctap/data',
    description: "the embedded engine's data directory",
  },
} as const satisfies Record<string, FlagSpec>;

/** The environment's CLICKHOUSE_URL and CCTAP_DATA, for the store's storeOptionsFrom. */
export const storeEnvOf = (env: Environment = ENV): StoreEnv => ({
  clickhouseUrl: envValue(STORE_FLAGS.clickhouse.env, env),
  dataDir: envValue(STORE_FLAGS.data.env, env),
});

/** The store the command line (flags only: their precedence over the environment is the store's) asks for. */
export async function storeOptionsOf(
  given: { clickhouse?: string; data?: string },
  env: Environment = ENV,
): Promise<StoreOptions> {
  // The light entry, and the wait (it brings @cctap/kit) only for a server: a report answered by a running
  // `cctap up` on the embedded store loads neither the engine nor the kit.
  const { storeOptionsFrom } = await import('@cctap/store/light');
  const opts = storeOptionsFrom(given, storeEnvOf(env));
  if (opts.url === undefined) return opts;
  const { oneShotWaitOf } = await import('./one-shot-wait.js');
  return { ...opts, wait: oneShotWaitOf(undefined, env) };
}
