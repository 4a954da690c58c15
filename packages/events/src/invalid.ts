/**
 * What the validator publishes to `cctap.invalid.<host>` for everything it rejects: one record per rejected
 * event (or per batch when the batch itself is unusable), with the reason and a truncated copy of the
 * document, so a format change can be studied without the stream carrying unbounded text.
 */
import { z } from 'zod';
import { id, isoTs, path } from './primitives.js';

export const INVALID_REASONS = [
  /** The message body is not JSON, or not a batch-shaped object. */
  'not_json',
  /** The batch envelope fails the contract (version, host, source). */
  'bad_batch',
  /** The batch claims a host other than the one its subject (its credential) speaks for. */
  'host_mismatch',
  /** The event fails the contract schema. */
  'schema',
  /** The event's encoding is larger than MAX_EVENT_BYTES. */
  'too_large',
  /** The event's timestamp is further in the future than the validator allows. */
  'future_ts',
  /** The event names a host other than its batch's. */
  'wrong_host',
  /** The event's user is not one the validator's users-per-host list allows for its (authenticated) host. */
  'user_not_allowed',
  /** The event reports more tokens or tool requests than one API response can have. */
  'implausible_usage',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/** The largest `raw` preview kept in an invalid record, in characters. */
export const INVALID_RAW_CHARS = 16_384;

export const invalidRecordSchema = z.strictObject({
  v: z.literal(1),
  reason: z.enum(INVALID_REASONS),
  /** What exactly failed (first schema errors, sizes, hosts). */
  detail: z.string().max(4096),
  /** The host the subject speaks for (authenticated), not what the payload claims. */
  host: id,
  receivedAt: isoTs,
  subject: id,
  source: z.strictObject({ path, fileId: id, from: z.number(), to: z.number() }).nullable(),
  eventId: id.nullable(),
  eventType: id.nullable(),
  ccVersion: id.nullable(),
  /** The rejected document (event or batch) as JSON, cut at INVALID_RAW_CHARS. */
  raw: z.string().max(INVALID_RAW_CHARS + 64),
});

export type InvalidRecord = z.infer<typeof invalidRecordSchema>;
