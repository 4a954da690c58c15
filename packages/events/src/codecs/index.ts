/**
 * The wire codecs, one per stream. Each has a trusted decode (typed, no schema check: for consumers
 * downstream of the validator) and a checked decode (the contract's schema: for untrusted input).
 */
export { DecodeError } from './json.js';
export * from './batch.js';
export * from './derived.js';
export * from './alert.js';
export * from './invalid.js';
export { forgetWritten } from './shared-decode.js';
