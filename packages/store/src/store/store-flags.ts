/**
 * `--clickhouse URL | --data DIR`, shared by every command that opens the store (sink, migrate, report, sql).
 * CLICKHOUSE_URL / CCTAP_DATA are the environment equivalents, read by the application and passed in; flags win.
 */
import type { StoreOptions } from './open-store.js';

export class StoreFlagError extends Error {
  override readonly name = 'StoreFlagError';
}

/** The environment's values of the two settings (CLICKHOUSE_URL, CCTAP_DATA); empty counts as unset. */
export interface StoreEnv {
  clickhouseUrl?: string | undefined;
  dataDir?: string | undefined;
}

export function storeOptionsFrom(flags: { clickhouse?: string; data?: string }, env: StoreEnv): StoreOptions {
  if (flags.clickhouse && flags.data) throw new StoreFlagError('use either --clickhouse URL or --data DIR, not both');
  const url = flags.clickhouse ?? (flags.data ? undefined : env.clickhouseUrl || undefined);
  if (url) {
    if (!/^https?:\/\//.test(url)) throw new StoreFlagError(`--clickhouse must be an http(s) URL, got '${url}'`);
    return { url };
  }
  return { dataDir: flags.data ?? (env.dataDir || undefined) };
}
