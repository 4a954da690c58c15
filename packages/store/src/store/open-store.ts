/**
 * One store API over two engines: a ClickHouse server (`--clickhouse URL` / CLICKHOUSE_URL, server-store.ts)
 * or the embedded engine (chdb, ClickHouse in-process, on its own worker thread: embedded-store.ts) in a data
 * directory. Same SQL, same migrations, same reports.
 *
 * The embedded engine binds one data directory per process: opening a second path while one is open fails
 * with StoreBusyError; close the first store before opening another.
 */
import { resolve } from 'node:path';
import { oneShotWait, privateDir, type WaitPolicy } from '@cctap/kit/light';
import { DEFAULT_DATA_DIR } from './default-data-dir.js';
import { openEmbeddedStore } from './embedded-store.js';
import { StoreBusyError } from './errors.js';

export interface StoreOptions {
  /** ClickHouse server URL (http://user:pass@host:8123/db). Wins over dataDir. CLICKHOUSE_URL is the app's to read. */
  url?: string;
  /** Embedded engine data directory; default ~/.cctap/data. */
  dataDir?: string;
  /**
   * How long to wait for a server that does not answer, and where to say so. Default: a one-shot command's
   * default wait (30 s; lines on stderr); the app passes CCTAP_WAIT_SECONDS's, services a policy without a limit.
   */
  wait?: WaitPolicy;
  /** Embedded engine only: the directory its BACKUP / RESTORE may write and read (backup/backup.ts). */
  backupDir?: string;
}

export interface QueryOptions {
  /**
   * A question from a person: one reading statement that touches only the store (read-only-sql.ts), then
   * run read-only by the engine (`readonly=2` on this request for a server, the embedded engine's
   * `readonly=1` session). Nothing of it outlives the query on the session the sink inserts through.
   */
  readOnly?: boolean;
  /**
   * The answer is a function of the stored rows, the text and the parameters alone (no `now()`, `rand()` or
   * system table): the embedded store may give the answer of the same question asked earlier, when nothing
   * was written since (read-cache.ts). Every report sets it; ad-hoc SQL never does.
   */
  reusable?: boolean;
}

export interface Store {
  /** 'loopback': a running `cctap up` asked over loopback (read-only; the command's side of it lives with the app). */
  readonly kind: 'server' | 'embedded' | 'loopback';
  /** The URL (password removed) or the data directory, for logs. */
  readonly location: string;
  /** Runs a SELECT and returns its rows. Values are bound with `{name: Type}` placeholders, never interpolated. */
  query<T>(sql: string, params?: Record<string, unknown>, opts?: QueryOptions): Promise<T[]>;
  /** Runs DDL or any statement without a result. */
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  /**
   * Inserts rows as JSONEachRow; `dedupToken` makes a retry of the same insert a no-op. A String column may be
   * given a JSON object: it stores the object's JSON text (insert-settings.ts), which spares serializing it into a
   * string first and escaping that string again inside the row.
   */
  insert(table: string, rows: readonly object[], dedupToken?: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** The directory the embedded engine is bound to, and how many stores are open on it. */
let embeddedOpen: string | null = null;
let embeddedRefs = 0;

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  const url = opts.url;
  if (url) {
    // The ClickHouse client is loaded only for a server: a command on the embedded store does not pay for it.
    const { connectServerStore } = await import('./server-store.js');
    return connectServerStore(url, redactUrl(url), opts.wait ?? oneShotWait());
  }
  const location = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
  if (embeddedOpen !== null && embeddedOpen !== location) {
    throw new StoreBusyError(
      `the embedded engine is already open on ${embeddedOpen}; close it before opening ${location}`,
    );
  }
  privateDir(location);
  embeddedOpen = location;
  embeddedRefs += 1;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    if (--embeddedRefs === 0) embeddedOpen = null;
  };
  try {
    return await openEmbeddedStore(location, release, opts.backupDir ? resolve(opts.backupDir) : undefined);
  } catch (err) {
    release();
    throw err;
  }
}
