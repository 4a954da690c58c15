/**
 * `@cctap/events/internal`: what the workspace's tests check the contract with (the zod schemas, the checked
 * decoders of the downstream streams, the bare event id). Not part of the package's public surface: a component
 * reads those streams with the trusted decoders, and builds ids with the named id functions.
 */
export { eventSchema } from './event.js';
export { DERIVED_KINDS, derivedEventSchema } from './derived.js';
export { alertSchema } from './alert.js';
export { invalidRecordSchema } from './invalid.js';
export { eventId } from './ids.js';
export { decodeCheckedDerived, decodeCheckedAlert, decodeCheckedInvalid } from './codecs/index.js';
