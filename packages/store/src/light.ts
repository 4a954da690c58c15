/**
 * `@cctap/store/light`: what a command that only reads needs (`cctap sql`, the report queries, `cctap report`
 * asking a running `cctap up` over loopback or opening the store itself): opening a store, the responses view
 * text, the error classes, the store flags, the default data directory and the read-only gate of `cctap sql`.
 * Importing it loads no engine, no ClickHouse client and not the main entry of @cctap/kit (zod, yaml, prom-client,
 * NATS): about 0.5 CPU-s of module loading per process that a question does not need. `openStore` loads the engine
 * or the client when it is called. The same modules as the main entry, so an error class is the same class
 * through either.
 */
export { openStore } from './store/open-store.js';
export { DEFAULT_DATA_DIR } from './store/default-data-dir.js';
export { StoreUnavailableError, StoreQueryError, isUnknownTable } from './store/errors.js';
export { storeOptionsFrom, StoreFlagError } from './store/store-flags.js';
export { readOnlyStatement } from './store/read-only-sql.js';
export { responsesSql, RESPONSE_ENTRY_COLUMNS, type ResponseEntryRow } from './views/responses-sql.js';
