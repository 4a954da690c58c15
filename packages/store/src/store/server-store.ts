/**
 * A ClickHouse server behind the Store interface, over HTTP with @clickhouse/client. Every request carries
 * its own settings (HTTP is sessionless here), so a per-query setting never outlives its query.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseSettings } from '@clickhouse/client';
import { waitUntilReachable, type WaitPolicy } from '@cctap/kit/light';
import { classifyStoreError, StoreUnavailableError } from './errors.js';
import { readOnlyStatement } from './read-only-sql.js';
import { INSERT_SETTINGS } from './insert-settings.js';
import type { QueryOptions, Store } from './open-store.js';

/** Settings every request uses: timestamps as ISO strings are accepted, UInt64 come back as numbers. */
const BASE_SETTINGS: ClickHouseSettings = {
  date_time_input_format: 'best_effort',
  output_format_json_quote_64bit_integers: 0,
};

/** A server store that can also say why the server does not answer. */
export interface ServerStore extends Store {
  /** Resolves once the server answers its /ping within `timeoutMs`; else throws the classified error. */
  reach(timeoutMs: number): Promise<void>;
}

/**
 * The store once the server answers: the client itself connects lazily, so without this wait a server that
 * is down surfaces as the first query's error. Waits as `wait` says ("waiting for ClickHouse at …" at once,
 * each retry logged; for ever, or until a one-shot command gives up with GaveUpWaitingError).
 */
export async function connectServerStore(url: string, location: string, wait: WaitPolicy): Promise<Store> {
  const store = openServerStore(url, location);
  try {
    await waitUntilReachable({
      what: 'ClickHouse',
      where: location,
      attempt: (ms) => store.reach(ms),
      retryable: (err) => err instanceof StoreUnavailableError,
      policy: wait,
    });
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

function openServerStore(url: string, location: string): ServerStore {
  // The client's own console logger is off: every failure reaches the caller as a classified error, and the
  // sink logs it once per outage rather than once per retry.
  const client = createClient({
    url,
    clickhouse_settings: BASE_SETTINGS,
    request_timeout: 60_000,
    keep_alive: { idle_socket_ttl: 9000 },
    log: { level: ClickHouseLogLevel.OFF },
  });
  let closed = false;
  return {
    kind: 'server',
    location,
    async query<T>(sql: string, params?: Record<string, unknown>, opts?: QueryOptions): Promise<T[]> {
      try {
        // Questions pass the gate (read-only-sql.ts), then run at readonly=2: reads only, while the client may
        // still send its own output settings (readonly=1 would refuse those).
        const query = opts?.readOnly ? readOnlyStatement(sql) : sql;
        const rs = await client.query({
          query,
          format: 'JSONEachRow',
          query_params: params,
          clickhouse_settings: opts?.readOnly ? { readonly: '2' } : {},
        });
        return await rs.json<T>();
      } catch (err) {
        throw classifyStoreError(err);
      }
    },
    async command(sql: string, params?: Record<string, unknown>): Promise<void> {
      try {
        await client.command({ query: sql, query_params: params, clickhouse_settings: { wait_end_of_query: 1 } });
      } catch (err) {
        throw classifyStoreError(err);
      }
    },
    async insert(table: string, rows: readonly object[], dedupToken?: string): Promise<void> {
      if (rows.length === 0) return;
      try {
        await client.insert({
          table,
          values: rows as object[],
          format: 'JSONEachRow',
          clickhouse_settings: {
            ...INSERT_SETTINGS,
            ...(dedupToken ? { insert_deduplication_token: dedupToken } : {}),
          },
        });
      } catch (err) {
        throw classifyStoreError(err);
      }
    },
    async reach(timeoutMs: number): Promise<void> {
      const r = await client.ping({ select: false, abort_signal: AbortSignal.timeout(timeoutMs) });
      if (!r.success) throw classifyStoreError(r.error);
    },
    async ping(): Promise<boolean> {
      try {
        return (await client.ping()).success;
      } catch {
        return false;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
