/**
 * Size limits of the contract. They keep every event, and every batch, below the NATS payload limit
 * (1 MiB by default on nats-server) no matter what a transcript line contains.
 */

/** The largest string any text field may carry, in Unicode code points (what zod 4 and ajv both count); the normalizer cuts at UTF-16 units, which is never more. */
export const MAX_TEXT_CHARS = 262_144;

/** The default per-string cap applied by the normalizer before anything leaves the host. */
export const DEFAULT_STRING_CAP = 16_384;

/** Appended to a string that was cut; the original length follows it, e.g. `…[truncated 91234 chars]`. */
export const TRUNCATION_MARKER = '…[truncated';

/** An encoded event larger than this is rejected by the validator; the normalizer shrinks strings to stay under it. */
export const MAX_EVENT_BYTES = 512 * 1024;

/** Batches are cut so that their encoding stays under this (NATS default max_payload is 1 MiB). */
export const MAX_BATCH_BYTES = 900 * 1024;

/** Short identifiers (ids, names, versions, models). */
export const MAX_ID_CHARS = 512;

/** File paths and working directories. */
export const MAX_PATH_CHARS = 4096;

/** Line uuids one event may list: a refusal's retracted lines, the lines a response supersedes. */
export const MAX_UUID_LIST = 256;

/** Advisor sub-inferences one assistant event may carry. */
export const MAX_ADVISOR_ITERATIONS = 64;
