/** Wire codec: batches travel as UTF-8 JSON. Decoding checks the shape; validation proper is the validator's job. */
import type { Batch } from './batch.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeBatch(batch: Batch): Uint8Array {
  return encoder.encode(JSON.stringify(batch));
}

export class BatchDecodeError extends Error {
  override readonly name = 'BatchDecodeError';
}

/**
 * Parses a message body into an untrusted batch-shaped object. Throws BatchDecodeError on bytes that are not
 * a JSON object with `v`, `host`, `source` and an `events` array; anything finer is for the schema.
 */
export function decodeBatchUnchecked(bytes: Uint8Array): unknown {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new BatchDecodeError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BatchDecodeError('not a JSON object');
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v.events)) throw new BatchDecodeError('missing events array');
  return value;
}

/** Decodes a batch that already passed the validator (downstream of the trust boundary). */
export function decodeTrustedBatch(bytes: Uint8Array): Batch {
  return decodeBatchUnchecked(bytes) as Batch;
}
