/**
 * One store API over two engines: a ClickHouse server (`--clickhouse URL` / CLICKHOUSE_URL) or the embedded
 * engine (chdb, ClickHouse in-process) in a data directory. Both speak through @clickhouse/client, so the
 * SQL, the migrations and the reports are the same.
 *
 * The embedded engine binds one data directory per process: opening a second path while one is open fails
 * with StoreBusyError; close the first store before opening another.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';

type ClientConfig = NonNullable<Parameters<typeof createClient>[0]>;
import { classifyStoreError, StoreBusyError } from './errors.js';

export interface StoreOptions {
  /** ClickHouse server URL (http://user:pass@host:8123/db). Wins over dataDir. */
  url?: string;
  /** Embedded engine data directory; default ~/.cctap/data. */
  dataDir?: string;
}

export interface Store {
  readonly kind: 'server' | 'embedded';
  /** The URL (password removed) or the data directory, for logs. */
  readonly location: string;
  readonly client: ClickHouseClient;
  /** Runs a SELECT and returns its rows. Values are bound with `{name: Type}` placeholders, never interpolated. */
  query<T>(sql: string, params?: Record<string, unknown>, settings?: ClickHouseSettings): Promise<T[]>;
  /** Runs DDL or any statement without a result. */
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  /** Inserts rows as JSONEachRow; `dedupToken` makes a retry of the same insert a no-op. */
  insert(table: string, rows: readonly object[], dedupToken?: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = join(homedir(), '.cctap', 'data');

let embeddedOpen: string | null = null;

/** Rows per embedded insert: ~0.1 s of event-loop time each (see insert below). */
const EMBEDDED_CHUNK_ROWS = 3000;

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/** Settings every connection uses: timestamps as ISO strings are accepted, UInt64 come back as numbers. */
const BASE_SETTINGS: ClickHouseSettings = {
  date_time_input_format: 'best_effort',
  output_format_json_quote_64bit_integers: 0,
};

export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  const url = opts.url ?? process.env.CLICKHOUSE_URL;
  let client: ClickHouseClient;
  let kind: Store['kind'];
  let location: string;
  if (url) {
    kind = 'server';
    location = redactUrl(url);
    // The client's own console logger is off: every failure reaches the caller as a classified error, and the
    // sink logs it once per outage rather than once per retry.
    client = createClient({ url, clickhouse_settings: BASE_SETTINGS, request_timeout: 60_000, keep_alive: { idle_socket_ttl: 9000 }, log: { level: ClickHouseLogLevel.OFF } });
  } else {
    kind = 'embedded';
    location = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
    if (embeddedOpen !== null && embeddedOpen !== location) {
      throw new StoreBusyError(`the embedded engine is already open on ${embeddedOpen}; close it before opening ${location}`);
    }
    mkdirSync(location, { recursive: true });
    // Loaded lazily: the native engine is large and only the embedded mode needs it.
    const { createChdbConnection } = await import('chdb/connection');
    // chdb types its connection against @clickhouse/client-common, the client bundles its own copy of the
    // same interfaces since 1.23: identical shapes, distinct declarations, hence the cast.
    const connection = createChdbConnection({ path: location }) as unknown as ClientConfig['connection'];
    client = createClient({ connection, clickhouse_settings: BASE_SETTINGS });
    embeddedOpen = location;
  }
  let closed = false;

  const store: Store = {
    kind,
    location,
    client,
    async query<T>(sql: string, params?: Record<string, unknown>, settings?: ClickHouseSettings): Promise<T[]> {
      try {
        const rs = await client.query({ query: sql, format: 'JSONEachRow', query_params: params, clickhouse_settings: settings });
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
      // The embedded engine serializes and runs an insert synchronously on the event loop (~35 µs a row):
      // one 20k-row insert would stall NATS heartbeats for most of a second. It gets chunks with a yield
      // between them; each chunk's token is derived from the flush's, so a retry still dedups chunk by chunk.
      const chunk = kind === 'embedded' ? EMBEDDED_CHUNK_ROWS : rows.length;
      for (let i = 0, part = 0; i < rows.length; i += chunk, part++) {
        const values = (chunk >= rows.length ? rows : rows.slice(i, i + chunk)) as object[];
        const token = dedupToken && chunk < rows.length ? `${dedupToken}-${part}` : dedupToken;
        try {
          await client.insert({
            table,
            values,
            format: 'JSONEachRow',
            clickhouse_settings: token ? { insert_deduplication_token: token } : {},
          });
        } catch (err) {
          throw classifyStoreError(err);
        }
        if (i + chunk < rows.length) await new Promise((r) => setImmediate(r));
      }
    },
    async ping(): Promise<boolean> {
      try {
        const r = await client.ping();
        return r.success;
      } catch {
        return false;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await client.close();
      if (kind === 'embedded') embeddedOpen = null;
    },
  };
  return store;
}
