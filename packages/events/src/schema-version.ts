/**
 * Version of the wire format and event schemas. Bump it on any change that an older consumer could not
 * read; the validator rejects batches of a version it does not know.
 */
export const SCHEMA_VERSION = 1 as const;
