/**
 * Decoding once per message in one process.
 *
 * In `cctap up` every consumer of a stream receives the very bytes that were published (the in-process bus
 * hands them over by reference): the validator, then the analyzer, the alerter and the sink. Turning those
 * bytes back into a string and parsing it once per consumer was most of what the pipeline spent handing data
 * between its own stages. So beside the bytes (weakly: gone with them) are kept
 *   - what they were written from by the codecs' writers here: the text, or for a batch its envelope and each
 *     event's JSON as the collector serialized it (the validator parses those instead of the bytes, and
 *     reuses them instead of serializing again);
 *   - the object the first trusted decode made (or that the validator made while checking the batch).
 * Across processes every message arrives as new bytes: nothing is found and each consumer decodes as before.
 *
 * A shared object is frozen (the document, its direct members, and theirs: a batch's events and their
 * payloads), because a consumer that changed one would change it under the others; frozen, such a change
 * throws where it is written (modules are strict), in every test that runs the services together.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What bytes were written from: a text, or the members of a JSON array between a head and a tail. */
type Written = { text: string } | { head: string; members: readonly string[]; tail: string };

const written = new WeakMap<Uint8Array, Written>();
const decoded = new WeakMap<Uint8Array, object>();

/** UTF-8 bytes of `text`, remembered as written from it. */
export function encodeText(text: string): Uint8Array {
  const bytes = encoder.encode(text);
  written.set(bytes, { text });
  return bytes;
}

/**
 * UTF-8 bytes of `head + members.join(',') + tail`, written member by member into one buffer (no joined
 * string is built), and remembered as written from those members.
 */
export function encodeMembers(head: string, members: readonly string[], tail: string): Uint8Array {
  let size = Buffer.byteLength(head) + Buffer.byteLength(tail) + Math.max(0, members.length - 1);
  for (const m of members) size += Buffer.byteLength(m);
  const buf = Buffer.allocUnsafe(size);
  let at = buf.write(head, 0);
  for (let i = 0; i < members.length; i++) {
    if (i > 0) buf[at++] = 0x2c; // ','
    at += buf.write(members[i]!, at);
  }
  buf.write(tail, at);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, size);
  written.set(bytes, { head, members, tail });
  return bytes;
}

/** The text of `bytes`: rebuilt from what they were written from in this process, else decoded. */
export function textOf(bytes: Uint8Array): string {
  const w = written.get(bytes);
  if (!w) return decoder.decode(bytes);
  return 'text' in w ? w.text : `${w.head}${w.members.join(',')}${w.tail}`;
}

/**
 * The head, members and tail `bytes` were written from by encodeMembers in this process (undefined otherwise),
 * forgotten as they are handed out: the one reader of them (the validator) reads each message once, and the
 * bytes stay in flight until the last consumer is done (the sink's insert), which would keep a second copy
 * of every batch's JSON alive for nothing. A later read of the same bytes decodes them.
 */
export function takeWrittenMembers(
  bytes: Uint8Array,
): { head: string; members: readonly string[]; tail: string } | undefined {
  const w = written.get(bytes);
  if (!w || !('members' in w)) return undefined;
  written.delete(bytes);
  return w;
}

/**
 * Forgets what `bytes` were written from: they leave this process (published to NATS), where nobody here reads
 * them again, and keeping a batch's strings beside bytes that wait for their acknowledgement only costs memory.
 */
export function forgetWritten(bytes: Uint8Array): void {
  written.delete(bytes);
}

const FROZEN_DEPTH = 4; // batch -> events -> event -> payload

function freeze(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  if (depth <= 1) return;
  if (Array.isArray(value)) for (const v of value) freeze(v, depth - 1);
  else for (const k in value) freeze((value as Record<string, unknown>)[k], depth - 1);
}

/** Keeps `doc` as what a trusted decode of `bytes` returns (the validator, having checked it, hands it on). */
export function shareDecoded<T extends object>(bytes: Uint8Array, doc: T): T {
  freeze(doc, FROZEN_DEPTH);
  decoded.set(bytes, doc);
  return doc;
}

/** The trusted decode of `bytes`, made once: `decode(text)` the first time, the same frozen object after. */
export function decodeShared<T extends object>(bytes: Uint8Array, decode: (text: string) => T): T {
  const known = decoded.get(bytes);
  if (known) return known as T;
  return shareDecoded(bytes, decode(textOf(bytes)));
}
