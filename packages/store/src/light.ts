/**
 * `@cctap/store/light`: what code that queries a store without opening one needs (the report queries, and
 * `cctap report` asking a running `cctap up` over loopback): the responses view text, the error classes, the
 * store flags, the default data directory and the read-only gate of `cctap sql`. Nothing here loads an engine, the ClickHouse client or @cctap/kit,
 * about 0.4 s of module loading that a report answered by `up` does not otherwise pay. The same modules as the
 * main entry, so an error class is the same class through either.
 */
export { DEFAULT_DATA_DIR } from './store/default-data-dir.js';
export { StoreUnavailableError, StoreQueryError, isUnknownTable } from './store/errors.js';
export { storeOptionsFrom, StoreFlagError } from './store/store-flags.js';
export { readOnlyStatement } from './store/read-only-sql.js';
export { responsesSql, RESPONSE_ENTRY_COLUMNS, type ResponseEntryRow } from './views/responses-sql.js';
