/**
 * Deterministic identities (DESIGN section 5). Re-reading the same bytes after a crash, on any machine,
 * yields the same ids; that is what makes every hop's duplicates harmless.
 *
 *   fileId   = h("file",  dev, ino, sha256(first bytes))           16 hex chars
 *   eventId  = h("event", host, fileId, byteOffset, indexInLine)   UUID-shaped (128 bits, version nibble 8)
 *   batchId  = h("batch", host, fileId, from, to)                  Nats-Msg-Id of the collector's publish
 *   derived  = h(stage, upstream message id)                       Nats-Msg-Id of a republish (validator, …)
 *
 * `h` is SHA-256 over the parts joined with a unit separator (U+001F), which cannot occur in any part.
 */
import { createHash } from 'node:crypto';

const SEP = '\u001f';

function digest(parts: readonly (string | number)[]): Buffer {
  return createHash('sha256').update(parts.join(SEP)).digest();
}

/** Formats the first 16 bytes of a digest as an RFC 9562 version-8 UUID (custom, hash-based). */
function asUuid(d: Buffer): string {
  const b = Buffer.from(d.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Identity of a file's content stream: survives renames, changes when the inode is reused for new content. */
export function fileId(dev: number | bigint, ino: number | bigint, headSha256Hex: string): string {
  return digest(['file', String(dev), String(ino), headSha256Hex]).toString('hex').slice(0, 16);
}

export function eventId(host: string, file: string, byteOffset: number, indexInLine: number): string {
  return asUuid(digest(['event', host, file, byteOffset, indexInLine]));
}

/** Id of a heartbeat: one per host and beat sequence number. */
export function heartbeatId(host: string, startedAt: string, seq: number): string {
  return asUuid(digest(['heartbeat', host, startedAt, seq]));
}

export function batchMsgId(host: string, file: string, from: number, to: number): string {
  return `b-${digest(['batch', host, file, from, to]).toString('hex').slice(0, 40)}`;
}

/** The message id a stage uses when it republishes what it derived from an upstream message. */
export function derivedMsgId(stage: string, upstreamMsgId: string, part: string | number = 0): string {
  return `${stage}-${digest([stage, upstreamMsgId, part]).toString('hex').slice(0, 40)}`;
}

/** A UUID-shaped id for anything derived from named parts (derived events, alerts). */
export function stableUuid(...parts: readonly (string | number)[]): string {
  return asUuid(digest(parts));
}
