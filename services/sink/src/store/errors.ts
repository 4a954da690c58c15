/** Error classes callers branch on: a bad request is permanent, an unreachable store is worth retrying. */

/** The store could not be reached or did not answer (network, server restart, engine busy): retry later. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** The SQL or the data was rejected by ClickHouse: retrying the same request fails the same way. */
export class StoreQueryError extends Error {
  override readonly name = 'StoreQueryError';
}

/** The embedded engine is bound to another data directory in this process (one engine per process). */
export class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';
}

const TRANSIENT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|Timeout|timed out|ENOTFOUND|EAI_AGAIN|other side closed|fetch failed/i;

/** Sorts an error thrown by @clickhouse/client into one of the classes above. */
export function classifyStoreError(err: unknown): Error {
  if (err instanceof StoreUnavailableError || err instanceof StoreQueryError || err instanceof StoreBusyError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new StoreUnavailableError(message, { cause: err });
  if (TRANSIENT.test(message)) return new StoreUnavailableError(message, { cause: err });
  return new StoreQueryError(message, { cause: err });
}
