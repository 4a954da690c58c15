/**
 * A running `cctap up` seen as a read-only `Store`. The embedded store admits one process, so while `up` holds
 * it, `cctap report` and `cctap sql` run their queries on `up`'s open store over loopback (query-server.ts).
 * Every report is a function of a `Store`, so it runs unchanged here: a new report needs no new endpoint.
 */
import type { QueryOptions, Store } from '@cctap/store';
import { StoreQueryError, StoreUnavailableError } from '@cctap/store/light';
import { askRunningUp, UpQueryError } from './query-client.js';
import { readLiveInstance } from './instance-file.js';

/**
 * A query on a loopback store whose `up` did not answer its ping (`SELECT 1`): the store was never usable, and
 * the caller opens the store itself, as when no `up` runs at all.
 */
export class UpNotAnsweringError extends Error {
  override readonly name = 'UpNotAnsweringError';
}

/**
 * The `up` serving `dataDir` as a store, or null when up.json names none. Its ping is sent at once and its
 * queries go out without waiting for it, so a report pays one round trip to `up`, not two; each query still
 * waits for the ping's outcome and, when `up` did not answer it, throws UpNotAnsweringError instead of its
 * own result. Writes are refused: a reader never changes what `up` owns.
 */
export function loopbackStore(dataDir: string): Store | null {
  const inst = readLiveInstance(dataDir);
  if (!inst || inst.port === null || inst.token === null) return null;
  const location = `cctap up on 127.0.0.1:${inst.port} (${dataDir})`;
  const ask = async <T>(sql: string, params?: Record<string, unknown>, opts?: QueryOptions): Promise<T[]> => {
    let a;
    try {
      const reusable = opts?.reusable === true ? { reusable: true } : {};
      a = await askRunningUp<T[]>(dataDir, { op: 'query', sql, ...(params ? { params } : {}), ...reusable });
    } catch (err) {
      // The server's class travels by name; the ones a report tells apart are rebuilt here.
      if (err instanceof UpQueryError && err.errorName === 'StoreQueryError') throw new StoreQueryError(err.message);
      throw err;
    }
    if (!a.answered) throw new StoreUnavailableError(`${location} stopped answering; run the command again`);
    return a.result;
  };
  const answers = ask('SELECT 1').then(
    () => true,
    () => false,
  );
  const query = async <T>(sql: string, params?: Record<string, unknown>, opts?: QueryOptions): Promise<T[]> => {
    const result = ask<T>(sql, params, opts);
    // Handled here so that failing before the ping's outcome is known is no unhandled rejection; the caller
    // still gets it when the ping was answered, and when it was not, its failure says no more than the ping's.
    result.catch(() => undefined);
    if (await answers) return result;
    throw new UpNotAnsweringError(`${location} does not answer`);
  };
  const readOnly = (what: string) => () =>
    Promise.reject(new StoreQueryError(`${what} refused: ${location} is asked read-only`));
  return {
    kind: 'loopback',
    location,
    query,
    command: readOnly('a statement'),
    insert: readOnly('an insert'),
    ping: () => answers,
    close: () => Promise.resolve(),
  };
}

/** The `up` serving `dataDir` once it answered its ping, or null when none runs or it does not answer. */
export async function openLoopbackStore(dataDir: string): Promise<Store | null> {
  const store = loopbackStore(dataDir);
  return store && (await store.ping()) ? store : null;
}
