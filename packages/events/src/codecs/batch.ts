/**
 * The batch stream codec (collector -> raw -> validator -> events): `{"v":1,"host":…,"source":{…},"events":[…]}`.
 *
 * One writer assembles every batch that goes on the wire. Its callers serialize each event once
 * (JSON.stringify) and hand the strings over: the collector measures them to cut batches under
 * MAX_BATCH_BYTES, the validator reuses the encoding it measured for the size rule. The result is byte for
 * byte JSON.stringify of the batch object (a unit test holds the writer to that), so a consumer cannot tell
 * which producer wrote it.
 */
import { batchSchema, type Batch, type BatchSource } from '../batch.js';
import type { CctapEvent } from '../event.js';
import { SCHEMA_VERSION } from '../schema-version.js';
import { checkedAgainst, DecodeError, utf8Text } from './json.js';
import { decodeShared, encodeMembers, shareDecoded, takeWrittenMembers } from './shared-decode.js';

/** `{"v":1,"host":…,"source":{…},"events":[`: a batch's JSON up to its first event. */
export function batchHead(host: string, source: BatchSource): string {
  // Fields listed one by one: the key order is the schema's whatever object the source came from.
  const src = { path: source.path, fileId: source.fileId, from: source.from, to: source.to };
  return `{"v":${SCHEMA_VERSION},"host":${JSON.stringify(host)},"source":${JSON.stringify(src)},"events":[`;
}

/** What closes a batch after its last event. */
export const BATCH_TAIL = ']}';

/** The batch writer: UTF-8 bytes of the envelope around the events, each already a JSON.stringify string. */
export function writeBatch(host: string, source: BatchSource, eventJson: readonly string[]): Uint8Array {
  return encodeMembers(batchHead(host, source), eventJson, BATCH_TAIL);
}

export function encodeBatch(batch: Batch): Uint8Array {
  return writeBatch(
    batch.host,
    batch.source,
    batch.events.map((e: CctapEvent) => JSON.stringify(e)),
  );
}

/** A JSON object with an `events` array: all a batch is before the schema had its say. */
export type UncheckedBatch = Record<string, unknown> & { events: unknown[] };

/**
 * Parses a batch's text into an untrusted batch-shaped object; DecodeError on text that is not a JSON
 * object with an `events` array. Anything finer is for the schema (the validator checks event by event,
 * so one bad event costs only itself).
 */
export function parseBatchText(text: string): UncheckedBatch {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw DecodeError.notJson('batch', err);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Array.isArray((doc as UncheckedBatch).events))
    throw new DecodeError('batch', 'not a batch: expected an object with an events array');
  return doc as UncheckedBatch;
}

/**
 * A batch as the trust boundary reads it: the batch-shaped object (DecodeError when it is not one) and, when
 * this process wrote these bytes (the collector of `cctap up`), each event's JSON as written, which is what
 * serializing its parse again would give (a JSON.stringify result survives the round trip exactly). Then the
 * envelope and each event are parsed from those strings; the bytes are never decoded.
 */
export function readBatch(bytes: Uint8Array): { doc: UncheckedBatch; eventJson: readonly string[] | undefined } {
  const parts = takeWrittenMembers(bytes);
  if (!parts) return { doc: parseBatchText(utf8Text(bytes)), eventJson: undefined };
  const doc = parseBatchText(parts.head + parts.tail);
  try {
    for (const json of parts.members) doc.events.push(JSON.parse(json) as unknown);
  } catch (err) {
    // A writer handed over a string that is not JSON: what the same bytes from NATS would be called.
    throw DecodeError.notJson('batch', err);
  }
  return { doc, eventJson: parts.members };
}

/** Hands `batch`, checked by the validator, to every trusted decode of `bytes` in this process. */
export function shareTrustedBatch(bytes: Uint8Array, batch: Batch): Batch {
  return shareDecoded(bytes, batch);
}

/** Decodes a batch that already passed the validator (downstream of the trust boundary): no schema check. */
export function decodeTrustedBatch(bytes: Uint8Array): Batch {
  return decodeShared(bytes, (text) => parseBatchText(text) as unknown as Batch);
}

/** Decodes a batch from an untrusted source: the whole batch must match the contract. */
export function decodeCheckedBatch(bytes: Uint8Array): Batch {
  return checkedAgainst('batch', batchSchema, parseBatchText(utf8Text(bytes)));
}
