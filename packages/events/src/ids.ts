/**
 * Deterministic identities (DESIGN section 5). Re-reading the same bytes after a crash, on any machine,
 * yields the same ids; that is what makes every hop's duplicates harmless.
 *
 *   fileId   = h("file",  dev, ino, sha256(first bytes))           16 hex chars
 *   lineEventId = h("line", host, sessionId, lineKey, indexInLine) UUID-shaped (128 bits, version nibble 8)
 *   eventId  = h("event", host, fileId, byteOffset, indexInLine)   the same shape, for ids not made from a line
 *   batchId  = h("batch", host, fileId, from, to[, linesDigest])   Nats-Msg-Id of the collector's publish
 *   derived  = h(stage, upstream message id)                       Nats-Msg-Id of a republish (validator, …)
 *
 * Every other message id (Nats-Msg-Id) a component publishes under is built here too (the `…MsgId`
 * functions at the end), so the prefixes that keep the producers apart are listed in one place:
 *   b-  collector batch        hb- heartbeat         q-  status-line quota readings
 *   g-  guard decisions
 *   validator-  validator      an- analyzer          (alert id) alerter
 *   <stream>:<seq>:<consumer>  dead letter           <stream>:<seq>  a delivery that came without an id
 *
 * `h` is SHA-256 over the parts joined with a unit separator (U+001F), which cannot occur in any part.
 *
 * Why a transcript line's event id names what the line is, not where it sits: Claude Code rewrites files it
 * already wrote (a tombstone removed in place moves every later line up; compaction renames a new inode over
 * the file; `/cd` moves it to another folder; metadata lines are appended again and again). A byte offset or
 * an inode would give the same line a new id after each of those, and every store downstream would keep it
 * twice. The line key (packages/transcript, normalize/line-key.ts) is the line's `uuid`, which Claude Code
 * keeps through every rewrite, or a hash of the line's bytes for lines without one (metadata), so identical
 * re-appended metadata lines are one line.
 */
import { hash } from 'node:crypto';

const SEP = '\u001f';

/** SHA-256 as hex. The one-shot `hash` avoids a Hash object and a Buffer per call (ids are made per event). */
function digestHex(parts: readonly (string | number)[]): string {
  return hash('sha256', parts.join(SEP), 'hex');
}

const VARIANT = '89ab';

/**
 * Formats the first 16 bytes of a digest as an RFC 9562 version-8 UUID (custom, hash-based): the version
 * nibble (byte 6 high) becomes 8, the variant bits (byte 8, top two) become 10.
 */
function asUuid(h: string): string {
  const variant = VARIANT[parseInt(h[16]!, 16) & 0x3]!;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Identity of a file's content stream: survives renames, changes when the inode is reused for new content. */
export function fileId(dev: number | bigint, ino: number | bigint, headSha256Hex: string): string {
  return digestHex(['file', String(dev), String(ino), headSha256Hex]).slice(0, 16);
}

/** The id of the `indexInLine`-th event of the line `lineKey` of session `sessionId` (see the header). */
export function lineEventId(host: string, sessionId: string, lineKey: string, indexInLine: number): string {
  return asUuid(digestHex(['line', host, sessionId, lineKey, indexInLine]));
}

/** Position-based ids: what test fixtures and hand-made batches use; transcript lines use lineEventId. */
export function eventId(host: string, file: string, byteOffset: number, indexInLine: number): string {
  return asUuid(digestHex(['event', host, file, byteOffset, indexInLine]));
}

/** Id of a heartbeat: one per host and beat sequence number. */
export function heartbeatId(host: string, startedAt: string, seq: number): string {
  return asUuid(digestHex(['heartbeat', host, startedAt, seq]));
}

/**
 * `linesDigest` (a digest of the batch's line keys) keeps two different contents of one byte range apart: a
 * file rewritten in place keeps its fileId when its first line survives, and JetStream would otherwise drop
 * the new content of [from, to) as a duplicate of the old one.
 */
export function batchMsgId(host: string, file: string, from: number, to: number, linesDigest?: string): string {
  const parts: (string | number)[] = ['batch', host, file, from, to];
  if (linesDigest !== undefined) parts.push(linesDigest);
  return `b-${digestHex(parts).slice(0, 40)}`;
}

/** The message id a stage uses when it republishes what it derived from an upstream message. */
export function derivedMsgId(stage: string, upstreamMsgId: string, part: string | number = 0): string {
  return `${stage}-${digestHex([stage, upstreamMsgId, part]).slice(0, 40)}`;
}

/** A UUID-shaped id for anything derived from named parts (derived events, alerts). */
export function stableUuid(...parts: readonly (string | number)[]): string {
  return asUuid(digestHex(parts));
}

/** A heartbeat batch: the id of its one event (heartbeatId), so a re-sent beat is a duplicate. */
export function heartbeatMsgId(heartbeatEventId: string): string {
  return `hb-${heartbeatEventId}`;
}

/** A batch of status-line quota readings: the id of its first event (one per session, window and instant). */
export function quotaMsgId(firstEventId: string): string {
  return `q-${firstEventId}`;
}

/**
 * A batch of guard decisions (the collector, from the guard's decisions file): its first and last event,
 * whose ids come from the decision lines themselves, so a batch sent again after a crash is a duplicate.
 */
export function guardMsgId(firstEventId: string, lastEventId: string): string {
  return `g-${firstEventId}-${lastEventId}`;
}

/**
 * A derived event of the analyzer: its deterministic id plus a digest of its encoding (the UTF-8 bytes, or
 * the text they encode: same digest), so the same
 * conclusion is stored once while an update of it (an orphan later answered) is not dropped as a duplicate.
 */
export function analyzerMsgId(derivedId: string, body: string | Uint8Array): string {
  return `an-${derivedId}-${hash('sha256', body, 'hex').slice(0, 16)}`;
}

/** An alert notification: its id (stableUuid of key, start, status and seq) names one notification already. */
export function alertMsgId(alertId: string): string {
  return alertId;
}

/** A message moved to the dead letters: one per stream message and consumer that gave up on it. */
export function deadLetterMsgId(stream: string, seq: number, consumer: string): string {
  return `${stream}:${seq}:${consumer}`;
}

/**
 * A dead letter published again to its original subject (`cctap dlq replay`): named by the original's place,
 * not by the dead letter, so a second replay of it (or of a duplicate dead letter of it) inside the stream's
 * duplicate window is dropped by JetStream; after that the pipeline's own ids (events, rows) dedupe it.
 */
export function replayMsgId(stream: string, seq: number): string {
  return `replay-${stream}:${seq}`;
}

/** What names a delivered message that was published without an id: its place in its stream. */
export function streamPositionId(stream: string, seq: number): string {
  return `${stream}:${seq}`;
}
