/**
 * `--clickhouse URL | --data DIR`, shared by every command that opens the store (sink, migrate, report, sql).
 * CLICKHOUSE_URL / CCTAP_DATA are the environment equivalents; flags win.
 */
import type { StoreOptions } from './open-store.js';

export class StoreFlagError extends Error {
  override readonly name = 'StoreFlagError';
}

export const STORE_FLAGS_USAGE = `  --clickhouse URL   a ClickHouse server (env CLICKHOUSE_URL)
  --data DIR         the embedded engine's data directory (env CCTAP_DATA; default ~/.cctap/data)`;

export function storeOptionsFrom(
  flags: { clickhouse?: string; data?: string },
  env: NodeJS.ProcessEnv = process.env,
): StoreOptions {
  if (flags.clickhouse && flags.data) throw new StoreFlagError('use either --clickhouse URL or --data DIR, not both');
  const url = flags.clickhouse ?? (flags.data ? undefined : env.CLICKHOUSE_URL || undefined);
  if (url) {
    if (!/^https?:\/\//.test(url)) throw new StoreFlagError(`--clickhouse must be an http(s) URL, got '${url}'`);
    return { url };
  }
  return { dataDir: flags.data ?? (env.CCTAP_DATA || undefined) };
}
