/**
 * One transcript line (bytes, without its newline) -> the events it means. Never throws: bytes that are
 * not a JSON object come back as a failure the caller turns into a `malformed` event; invalid UTF-8 is
 * decoded lossily with a warning; any JSON object becomes at least one event (`unknown` when its type is
 * not one we know). Each line is parsed once with JSON.parse.
 *
 * Size: strings are capped (ctx.stringCap) and, for lines big enough to matter, every event is measured;
 * an event over MAX_EVENT_BYTES is rebuilt with a smaller cap, then with tool inputs squashed to a marker.
 */
import { DEFAULT_STRING_CAP, MAX_EVENT_BYTES, type CctapEvent } from '@cctap/events';
import { WARNINGS, type LineContext, type NormalizeResult } from '../context.js';
import { Shaper } from '../privacy/shaper.js';
import { normalizeAssistant } from './assistant-line.js';
import { obj, type Json } from './json-read.js';
import { LineBuilder } from './line-builder.js';
import { lineKeyOf } from './line-key.js';
import { normalizeMetadata } from './metadata-line.js';
import { normalizeSystem } from './system-line.js';
import { normalizeTimestamp } from './timestamp.js';
import { normalizeUser } from './user-line.js';

/** Envelope strings (paths, ids) can add this much to an event beyond the line's own strings. */
const ENVELOPE_ALLOWANCE = 64 * 1024;
const MIN_CAP = 256;
const OPEN_BRACE = 0x7b;

const lossyUtf8 = new TextDecoder('utf-8');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const BOM = 0xfeff;

/**
 * UTF-8 -> string; invalid sequences become U+FFFD (lossy, flagged). A leading BOM is dropped.
 *
 * Decodes once, lossily: invalid input always yields U+FFFD, so a result without it was valid. Only a
 * result with U+FFFD (invalid bytes, or a U+FFFD written as such) is validated again with a fatal decoder.
 * Buffers (what a tailer reads) decode through Buffer#toString, which skips TextDecoder's per-call
 * overhead; it substitutes invalid sequences the same way (decode-line.test.ts compares the two on random
 * bytes) but keeps a BOM, which is dropped here.
 */
export function decodeLine(bytes: Uint8Array): { text: string; invalidUtf8: boolean } {
  let text: string;
  if (Buffer.isBuffer(bytes)) {
    text = bytes.toString();
    // Only the bytes EF BB BF decode to a leading U+FEFF: that is the BOM TextDecoder drops.
    if (text.charCodeAt(0) === BOM) text = text.slice(1);
  } else {
    text = lossyUtf8.decode(bytes);
  }
  if (!text.includes('\uFFFD')) return { text, invalidUtf8: false };
  try {
    strictUtf8.decode(bytes);
    return { text, invalidUtf8: false };
  } catch {
    return { text, invalidUtf8: true };
  }
}

function build(
  rec: Json,
  ctx: LineContext,
  lineTs: string | null,
  shaper: Shaper,
  lineChars: number,
  lineKey: string,
): CctapEvent[] {
  const L = new LineBuilder(rec, ctx, shaper, lineTs, lineKey);
  const type = typeof rec.type === 'string' ? rec.type : '';
  if (type === 'user') normalizeUser(L);
  else if (type === 'assistant') normalizeAssistant(L);
  else if (type === 'system') normalizeSystem(L);
  else normalizeMetadata(L, type, lineChars);
  return L.events;
}

function encodedBytes(e: CctapEvent): number {
  const s = JSON.stringify(e);
  // Three UTF-8 bytes per UTF-16 unit at most: skip the exact count when even that fits.
  return s.length * 3 < MAX_EVENT_BYTES ? s.length : Buffer.byteLength(s, 'utf8');
}

function oversized(events: CctapEvent[]): boolean {
  return events.some((e) => encodedBytes(e) >= MAX_EVENT_BYTES);
}

export function normalizeLine(bytes: Uint8Array, ctx: LineContext): NormalizeResult {
  const { text, invalidUtf8 } = decodeLine(bytes);
  const warnings: string[] = invalidUtf8 ? [WARNINGS.invalidUtf8] : [];
  // Nearly every line starts with `{` and so cannot be blank: only other lines need the trim.
  if (text.charCodeAt(0) !== OPEN_BRACE && text.trim().length === 0) return { failure: 'empty', detail: 'blank line' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { failure: 'invalid_json', detail: String((err as Error).message).slice(0, 200) };
  }
  const rec = obj(parsed);
  if (!rec) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed;
    return { failure: 'not_an_object', detail: `JSON ${kind}` };
  }

  const lineTs = normalizeTimestamp(rec.timestamp);
  const lineKey = lineKeyOf(rec.uuid, bytes);
  let cap = ctx.stringCap ?? DEFAULT_STRING_CAP;
  let events = build(rec, ctx, lineTs, new Shaper(ctx.privacy, cap), text.length, lineKey);
  // A line's strings are a subset of the line: small lines cannot produce an oversized event.
  if (bytes.length * 3 + ENVELOPE_ALLOWANCE + labelsSize(ctx) >= MAX_EVENT_BYTES && oversized(events)) {
    warnings.push(WARNINGS.shrunk);
    do {
      cap = Math.max(MIN_CAP, Math.floor(cap / 4));
      events = build(rec, ctx, lineTs, new Shaper(ctx.privacy, cap), text.length, lineKey);
    } while (cap > MIN_CAP && oversized(events));
    if (oversized(events))
      events = build(rec, ctx, lineTs, new Shaper(ctx.privacy, MIN_CAP, true), text.length, lineKey);
  }
  return { events, lineTs, warnings, lineKey };
}

function labelsSize(ctx: LineContext): number {
  return ctx.labels ? JSON.stringify(ctx.labels).length * 3 : 0;
}
