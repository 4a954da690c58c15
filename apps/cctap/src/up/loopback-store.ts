/**
 * A running `cctap up` seen as a read-only `Store`. The embedded store admits one process, so while `up` holds
 * it, `cctap report` and `cctap sql` run their queries on `up`'s open store over loopback (query-server.ts).
 * Every report is a function of a `Store`, so it runs unchanged here: a new report needs no new endpoint.
 */
import { StoreQueryError, StoreUnavailableError, type Store } from '@cctap/store';
import { askRunningUp, UpQueryError } from './query-client.js';
import { readLiveInstance } from './instance-file.js';

/**
 * The `up` serving `dataDir` as a store, or null when none runs or it does not answer (then the caller opens
 * the store itself). Writes are refused: a reader never changes what `up` owns.
 */
export async function openLoopbackStore(dataDir: string): Promise<Store | null> {
  const inst = readLiveInstance(dataDir);
  if (!inst || inst.port === null || inst.token === null) return null;
  const location = `cctap up on 127.0.0.1:${inst.port} (${dataDir})`;
  const query = async <T>(sql: string, params?: Record<string, unknown>): Promise<T[]> => {
    let a;
    try {
      a = await askRunningUp<T[]>(dataDir, { op: 'query', sql, ...(params ? { params } : {}) });
    } catch (err) {
      // The server's class travels by name; the ones a report tells apart are rebuilt here.
      if (err instanceof UpQueryError && err.errorName === 'StoreQueryError') throw new StoreQueryError(err.message);
      throw err;
    }
    if (!a.answered) throw new StoreUnavailableError(`${location} stopped answering; run the command again`);
    return a.result;
  };
  const readOnly = (what: string) => () =>
    Promise.reject(new StoreQueryError(`${what} refused: ${location} is asked read-only`));
  const store: Store = {
    kind: 'loopback',
    location,
    query,
    command: readOnly('a statement'),
    insert: readOnly('an insert'),
    ping: () =>
      query('SELECT 1').then(
        () => true,
        () => false,
      ),
    close: () => Promise.resolve(),
  };
  return (await store.ping()) ? store : null;
}
