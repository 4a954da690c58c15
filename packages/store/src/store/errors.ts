/** Error classes callers branch on: a bad request is permanent, an unreachable store is worth retrying. */

/** The store could not be reached or did not answer (network, server restart, engine busy): retry later. */
export class StoreUnavailableError extends Error {
  override readonly name: string = 'StoreUnavailableError';
}

/**
 * The store ran out of something (disk, memory, parts, file descriptors, time): the same insert lands once
 * there is room again. A kind of unavailability, so every caller that holds and retries on
 * StoreUnavailableError does the same here, and nothing is dead-lettered or acknowledged while it lasts.
 */
export class StoreResourceError extends StoreUnavailableError {
  override readonly name = 'StoreResourceError';
}

/** The SQL or the data was rejected by ClickHouse: retrying the same request fails the same way. */
export class StoreQueryError extends Error {
  override readonly name = 'StoreQueryError';
  /** ClickHouse's error code (src/Common/ErrorCodes.cpp), from either engine; null for the store's own refusals. */
  readonly code: number | null;
  constructor(message: string, options?: ErrorOptions & { code?: number | null }) {
    super(message, options);
    this.code = options?.code ?? null;
  }
}

/** ClickHouse codes of a table, view or database that is not there: 60 UNKNOWN_TABLE, 81 UNKNOWN_DATABASE. */
const MISSING_CODES = new Set([60, 81]);

/** The query named a table, view or database the store does not have (its tables were never created). */
export function isUnknownTable(err: unknown): boolean {
  return err instanceof StoreQueryError && err.code !== null && MISSING_CODES.has(err.code);
}

/** The embedded engine is bound to another data directory in this process (one engine per process). */
export class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';
}

const TRANSIENT =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|Timeout|timed out|ENOTFOUND|EAI_AGAIN|other side closed|fetch failed/i;

/**
 * ClickHouse error codes (src/Common/ErrorCodes.cpp) that mean "out of a resource, try again later", not "this
 * data is wrong": 159 TIMEOUT_EXCEEDED, 173 CANNOT_ALLOCATE_MEMORY, 202 TOO_MANY_SIMULTANEOUS_QUERIES,
 * 203 NO_FREE_CONNECTION, 241 MEMORY_LIMIT_EXCEEDED, 243 NOT_ENOUGH_SPACE, 252 TOO_MANY_PARTS.
 */
const RESOURCE_CODES = new Set([159, 173, 202, 203, 241, 243, 252]);
/**
 * Codes that are a resource only when the operating system said so (ENOSPC, EMFILE, ENFILE, EDQUOT in the
 * message): 74/75 CANNOT_READ/WRITE_FROM/TO_FILE_DESCRIPTOR, 76 CANNOT_OPEN_FILE, 425 SYSTEM_ERROR,
 * 1000 POCO_EXCEPTION, 1001 STD_EXCEPTION, 1002 UNKNOWN_EXCEPTION.
 */
const FILE_CODES = new Set([74, 75, 76, 425, 1000, 1001, 1002]);
const OS_RESOURCE = /errno: (?:28|24|23|122)\b|No space left on device|Too many open files|Disk quota exceeded/i;

/**
 * The ClickHouse error code of an error from either engine: the server client's `code`, else the `Code: N.`
 * the embedded engine (chdb) writes in its message, its only way of saying it. Read here once; callers test
 * StoreQueryError.code.
 */
function clickHouseCode(err: unknown, message: string): number | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  if (typeof code === 'number') return code;
  const m = /\bCode: (\d+)\./.exec(message);
  return m ? Number(m[1]) : null;
}

/** Sorts an error thrown by @clickhouse/client or the embedded engine into one of the classes above. */
export function classifyStoreError(err: unknown): Error {
  if (err instanceof StoreUnavailableError || err instanceof StoreQueryError || err instanceof StoreBusyError)
    return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return code === 'ENOSPC' || code === 'EMFILE' || code === 'ENFILE'
      ? new StoreResourceError(message, { cause: err })
      : new StoreUnavailableError(message, { cause: err });
  }
  const ch = clickHouseCode(err, message);
  // TOO_MANY_PARTITIONS shares code 252 with TOO_MANY_PARTS but is about the insert's shape, not the server's
  // state: retrying the same block fails the same way (insert-rows.ts splits blocks so it does not happen).
  // No code tells the two apart, so the message does.
  const shape = ch === 252 && /partitions for (?:a )?single INSERT block/i.test(message);
  if (ch !== null && !shape && (RESOURCE_CODES.has(ch) || (FILE_CODES.has(ch) && OS_RESOURCE.test(message)))) {
    return new StoreResourceError(message, { cause: err });
  }
  // A network failure the client wraps without an errno code (fetch failed, socket hang up): only its words say it.
  if (TRANSIENT.test(message)) return new StoreUnavailableError(message, { cause: err });
  return new StoreQueryError(message, { cause: err, code: ch });
}
