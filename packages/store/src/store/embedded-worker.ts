/**
 * The body of the worker thread that owns the embedded engine (embedded-store.ts starts it).
 *
 * It runs as an `eval` worker from this function's own source text, so it works the same from the compiled
 * dist and from the TypeScript sources under vitest: everything it uses arrives as an argument (no imports,
 * no module-level names). Keep it that way.
 *
 * Two chdb sessions on the one data directory (libchdb binds one directory per process; sessions on it are
 * separate connections with separate settings, checked against chdb 3.4):
 *   write   DDL, inserts and ordinary reads. Never receives a `SET`: the engine keeps a SET for the rest of
 *           the session, so a per-query setting would leak into every later statement. The only per-query
 *           settings, the insert's (deduplication token, insert-settings.ts), travel in the INSERT's own SETTINGS clause, which
 *           ClickHouse scopes to that statement.
 *   read    read-only questions (`cctap sql`). `SET readonly = 1` once at open, so the engine itself refuses
 *           writes, DDL, every later `SET` (a question can never change the session for the next one) and the
 *           table functions that reach files or the network; read-only-sql.ts refuses what it still allows.
 * Both get the store's base settings once at open (ISO timestamps accepted, 64-bit integers as numbers).
 */
import type * as WorkerThreads from 'node:worker_threads';

/** What the worker is asked to do; `id` pairs an answer with its request. */
export type WorkerRequest =
  | { id: number; op: 'open'; path: string; engineArgs: readonly string[] }
  | { id: number; op: 'query'; sql: string; params: Record<string, unknown> | undefined; readOnly: boolean }
  | { id: number; op: 'command'; sql: string; params: Record<string, unknown> | undefined }
  | { id: number; op: 'insert'; table: string; body: Uint8Array; settings: Record<string, string> }
  | { id: number; op: 'ping' }
  | { id: number; op: 'close' };

export type WorkerAnswer =
  | { id: number; ok: true; value: Uint8Array | boolean | null }
  | { id: number; ok: false; error: { message: string; code: string | undefined } };

/** The slice of the chdb package the worker uses. */
interface ChdbResultLike {
  bytes(): Uint8Array;
}
interface ChdbSessionLike {
  queryAsync(sql: string, opts?: { format?: string }): Promise<ChdbResultLike>;
  queryBindAsync(sql: string, params: object, opts?: { format?: string }): Promise<ChdbResultLike>;
  insert(p: {
    table: string;
    values: Buffer;
    format: 'JSONEachRow';
    settings?: Record<string, string>;
  }): Promise<unknown>;
  close(): void;
}
export interface ChdbModuleLike {
  Session: new (path: string, opts?: { connectionArgs?: string[] }) => ChdbSessionLike;
  drainPending(): Promise<void>;
}

export function embeddedWorkerMain(wt: typeof WorkerThreads, chdb: ChdbModuleLike): void {
  const port = wt.parentPort!;
  const BASE = ["SET date_time_input_format = 'best_effort'", 'SET output_format_json_quote_64bit_integers = 0'];
  let write: ChdbSessionLike | null = null;
  let read: ChdbSessionLike | null = null;

  const run = (s: ChdbSessionLike, sql: string, params: Record<string, unknown> | undefined, format: string) =>
    params && Object.keys(params).length > 0
      ? s.queryBindAsync(sql, params, { format })
      : s.queryAsync(sql, { format });

  const session = (which: ChdbSessionLike | null): ChdbSessionLike => {
    if (!which) throw new Error('the embedded store is not open');
    return which;
  };

  async function handle(req: WorkerRequest): Promise<Uint8Array | boolean | null> {
    switch (req.op) {
      case 'open': {
        const opts = { connectionArgs: [...req.engineArgs] };
        const w = new chdb.Session(req.path, opts);
        let r: ChdbSessionLike | null = null;
        try {
          r = new chdb.Session(req.path, opts);
          for (const sql of BASE) await w.queryAsync(sql);
          for (const sql of [...BASE, 'SET readonly = 1']) await r.queryAsync(sql);
        } catch (err) {
          r?.close();
          w.close();
          throw err;
        }
        write = w;
        read = r;
        return null;
      }
      case 'query': {
        const res = await run(session(req.readOnly ? read : write), req.sql, req.params, 'JSONEachRow');
        return res.bytes();
      }
      case 'command':
        await run(session(write), req.sql, req.params, 'CSV');
        return null;
      case 'insert': {
        await session(write).insert({
          table: req.table,
          values: Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength),
          format: 'JSONEachRow',
          settings: req.settings,
        });
        return null;
      }
      case 'ping':
        await session(write).queryAsync('SELECT 1', { format: 'CSV' });
        return true;
      case 'close':
        read?.close();
        write?.close();
        read = write = null;
        await chdb.drainPending();
        return null;
    }
  }

  port.on('message', (req: WorkerRequest) => {
    handle(req).then(
      (value) => {
        port.postMessage({ id: req.id, ok: true, value } satisfies WorkerAnswer);
        if (req.op === 'close') port.close();
      },
      (err: unknown) => {
        const e = err as { message?: unknown; code?: unknown } | null;
        const message = typeof e?.message === 'string' ? e.message : String(err);
        port.postMessage({
          id: req.id,
          ok: false,
          error: { message, code: typeof e?.code === 'string' ? e.code : undefined },
        } satisfies WorkerAnswer);
      },
    );
  });
}
