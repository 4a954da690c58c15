/**
 * The embedded engine (chdb, ClickHouse in-process) behind the Store interface, run on a worker thread.
 *
 * Why a thread: chdb executes statements on libuv threads, but everything around them (copying the text into
 * the engine, waiting for it) ran on the caller's event loop, shared with NATS heartbeats, the collector and,
 * in `cctap up`, every other service. The caller serializes the rows to JSONEachRow bytes (what the engine
 * parses; no cheaper than a structured clone of the rows, which the thread would then have to serialize) and
 * moves them to the thread without a copy; the thread's own heap stays small whatever the insert's size.
 *
 * Life of the worker:
 *   starting -> open (sessions created, base settings applied) -> serving requests -> close -> exited
 *   a worker that dies on its own fails every pending and later request with StoreUnavailableError.
 * The worker is unref'd while idle, so an open store never keeps a process alive by itself (as before).
 *
 * chdb 3.4 crashes the process (SIGSEGV) when a worker thread that loaded its addon is torn down, unless
 * the main thread has loaded the addon too (it then stays mapped). So the main thread requires chdb before
 * the worker starts; the engine itself is only ever opened inside the worker.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { classifyStoreError, StoreUnavailableError } from './errors.js';
import { embeddedWorkerMain, type WorkerAnswer, type WorkerRequest } from './embedded-worker.js';
import { INSERT_SETTINGS } from './insert-settings.js';
import { jsonEachRow } from './json-each-row.js';
import { ReadCache, readKey } from './read-cache.js';
import { readOnlyStatement } from './read-only-sql.js';
import type { QueryOptions, Store } from './open-store.js';

type Pending = { resolve: (v: Uint8Array | boolean | null) => void; reject: (e: Error) => void };
type Body<R> = R extends unknown ? Omit<R, 'id'> : never;

const decoder = new TextDecoder();

function parseEachRow<T>(bytes: Uint8Array): T[] {
  if (bytes.byteLength === 0) return [];
  const out: T[] = [];
  for (const line of decoder.decode(bytes).split('\n')) if (line.length > 0) out.push(JSON.parse(line) as T);
  return out;
}

/**
 * @param backupDir the one directory `BACKUP … TO File(…)` / `RESTORE … FROM File(…)` may use (the engine refuses
 *   File() backups without `backups.allowed_path`, a start-up setting, not a SET): only `cctap backup|restore` give it.
 */
export async function openEmbeddedStore(location: string, onClosed: () => void, backupDir?: string): Promise<Store> {
  const require = createRequire(import.meta.url);
  const chdbPath = require.resolve('chdb');
  require(chdbPath); // pins the native addon in this thread (see the header)
  const code = `(${embeddedWorkerMain.toString()})(require('node:worker_threads'), require(${JSON.stringify(chdbPath)}));`;
  const worker = new Worker(code, { eval: true, name: 'cctap-embedded-store' });

  const pending = new Map<number, Pending>();
  let nextId = 1;
  let dead: Error | null = null;
  let closed = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const fail = (err: Error) => {
    dead ??= err;
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  };
  worker.on('message', (a: WorkerAnswer) => {
    const p = pending.get(a.id);
    if (!p) return;
    pending.delete(a.id);
    if (pending.size === 0) worker.unref();
    if (a.ok) p.resolve(a.value);
    else p.reject(classifyStoreError(Object.assign(new Error(a.error.message), { code: a.error.code })));
  });
  worker.on('error', (err) =>
    fail(new StoreUnavailableError(`the embedded engine's thread failed: ${err.message}`, { cause: err })),
  );
  worker.on('exit', (code) => {
    if (!closed) fail(new StoreUnavailableError(`the embedded engine's thread exited (code ${code})`));
    onClosed();
  });

  const call = (req: Body<WorkerRequest>, transfer: ArrayBuffer[] = []): Promise<Uint8Array | boolean | null> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...req, id } as WorkerRequest, transfer);
    });
  };

  try {
    const engineArgs = backupDir ? ['--', `--backups.allowed_path=${backupDir}`] : [];
    await call({ op: 'open', path: location, engineArgs });
  } catch (err) {
    closed = true;
    await worker.terminate();
    throw err;
  }

  const reads = new ReadCache();
  return {
    kind: 'embedded',
    location,
    async query<T>(sql: string, params?: Record<string, unknown>, opts?: QueryOptions): Promise<T[]> {
      const readOnly = opts?.readOnly === true;
      const run = async () => {
        const answer = await call({ op: 'query', sql: readOnly ? readOnlyStatement(sql) : sql, params, readOnly });
        return answer instanceof Uint8Array ? answer : new Uint8Array(0);
      };
      return parseEachRow<T>(opts?.reusable ? await reads.read(readKey(sql, params, readOnly), run) : await run());
    },
    async command(sql: string, params?: Record<string, unknown>): Promise<void> {
      await reads.write(() => call({ op: 'command', sql, params }));
    },
    async insert(table: string, rows: readonly object[], dedupToken?: string): Promise<void> {
      if (rows.length === 0) return;
      const body = jsonEachRow(rows);
      const settings: Record<string, string> = { ...(dedupToken ? { insert_deduplication_token: dedupToken } : {}) };
      for (const [k, v] of Object.entries(INSERT_SETTINGS)) settings[k] = String(v);
      await reads.write(() => call({ op: 'insert', table, body, settings }, [body.buffer as ArrayBuffer]));
    },
    async ping(): Promise<boolean> {
      try {
        return (await call({ op: 'ping' })) === true;
      } catch {
        return false;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        if (!dead) await call({ op: 'close' });
      } catch {
        await worker.terminate();
      }
      // Hold the process open until the thread has gone: answering the last request unref'd it, and with
      // nothing else pending Node would otherwise exit in the middle of this await.
      worker.ref();
      await exited;
    },
  };
}
