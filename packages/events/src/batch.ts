/**
 * The wire message: the events of one contiguous byte range [from, to) of one file. Batching is what lets
 * one Node process publish ~100 MB/s; a byte range is also what makes the message id deterministic and
 * what lets a checkpoint advance exactly to `to` once the batch is acknowledged.
 */
import { z } from 'zod';
import { eventSchema } from './event.js';
import { SCHEMA_VERSION } from './schema-version.js';
import { count, hostToken, id, path } from './primitives.js';

export const batchSource = z.strictObject({
  path,
  /** File identity (see ids.ts: device, inode and a hash of the first bytes). */
  fileId: id,
  from: count,
  to: count,
});

export const batchSchema = z.strictObject({
  v: z.literal(SCHEMA_VERSION),
  host: hostToken,
  source: batchSource,
  events: z.array(eventSchema),
});

export type Batch = z.infer<typeof batchSchema>;
export type BatchSource = z.infer<typeof batchSource>;
