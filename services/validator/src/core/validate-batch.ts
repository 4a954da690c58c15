/**
 * The trust boundary as a pure function: a raw batch (bytes + the subject it arrived on) -> the batch of
 * valid events to republish, and one invalid record per rejection.
 *
 * Rules, in order:
 *   1. not JSON / not batch-shaped          -> one `not_json` record with a preview of the bytes
 *   2. envelope fails the batch schema      -> one `bad_batch` record
 *   3. payload host != subject host         -> every event rejected `host_mismatch` (a host cannot speak
 *                                              for another; the subject is what its credential allows)
 *   4. per event: schema, then size (MAX_EVENT_BYTES), then event host == batch host, then ts not
 *      more than `maxFutureMs` ahead of `now`, then the user is one the host may report (when a
 *      users-per-host list is configured), then the usage is possible for one response (usage-bounds.ts).
 * Events are validated one by one (not through the batch schema) so one bad event costs only itself.
 */
import {
  capText,
  DecodeError,
  INVALID_RAW_CHARS,
  MAX_EVENT_BYTES,
  SCHEMA_VERSION,
  readBatch,
  shareTrustedBatch,
  writeBatch,
  type Batch,
  type BatchSource,
  type CctapEvent,
  type InvalidReason,
  type InvalidRecord,
  type Topology,
  type UncheckedBatch,
} from '@cctap/events';
import type { ContractValidator } from '@cctap/events/ajv';
import { implausibleUsage } from './usage-bounds.js';
import { userNotAllowed, type UsersPerHost } from './users-per-host.js';

export interface ValidateContext {
  topology: Topology;
  contract: ContractValidator;
  /** Epoch ms used as "now" for the future-timestamp rule. */
  now: number;
  maxFutureMs: number;
  maxEventBytes?: number;
  /** Users each host may report; absent: any user (a single laptop, or a deployment that trusts its hosts). */
  usersPerHost?: UsersPerHost;
}

export interface ValidatedBatch {
  /** The host the subject speaks for; null when the subject is not a raw subject. */
  host: string | null;
  /** The valid events as a batch (null when there are none), already encoded. */
  valid: { batch: Omit<Batch, 'events'> & { events: CctapEvent[] }; bytes: Uint8Array } | null;
  invalid: InvalidRecord[];
}

const decoder = new TextDecoder();

function str(v: unknown): string | null {
  return typeof v === 'string' ? v.slice(0, 512) : null;
}

function utf8Length(s: string): number {
  // Fast path: ASCII-only strings (most transcripts) are as long in bytes as in characters.
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

export function validateBatch(bytes: Uint8Array, subject: string, ctx: ValidateContext): ValidatedBatch {
  const host = ctx.topology.hostOf(subject);
  const receivedAt = new Date(ctx.now).toISOString();
  const maxEventBytes = ctx.maxEventBytes ?? MAX_EVENT_BYTES;
  const record = (
    reason: InvalidReason,
    detail: string,
    raw: string,
    extra: Partial<InvalidRecord> = {},
  ): InvalidRecord => ({
    v: 1,
    reason,
    detail: detail.slice(0, 4096),
    host: host ?? 'unknown',
    receivedAt,
    subject: subject.slice(0, 512),
    source: null,
    eventId: null,
    eventType: null,
    ccVersion: null,
    raw: capText(raw, INVALID_RAW_CHARS),
    ...extra,
  });

  // In `cctap up` the batch arrives with each event's JSON as the collector wrote it (codecs/shared-decode.ts):
  // parsed from those strings, not decoded from the bytes. The checks below run on the parse all the same.
  let d: UncheckedBatch;
  let eventJson: readonly string[] | undefined;
  try {
    ({ doc: d, eventJson } = readBatch(bytes));
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return { host, valid: null, invalid: [record('not_json', err.message, decoder.decode(bytes))] };
  }
  const envelope = { ...d, events: [] };
  const verdict = ctx.contract.envelope(envelope);
  if (!verdict.ok)
    return { host, valid: null, invalid: [record('bad_batch', verdict.errors.join('; '), decoder.decode(bytes))] };
  const source = d.source as BatchSource;
  const claimed = d.host as string;

  const invalid: InvalidRecord[] = [];
  const events: CctapEvent[] = [];
  const encoded: string[] = [];
  // Each event's JSON as written is what JSON.stringify of its parse gives back (a round trip of JSON.stringify
  // output is exact), so the writer's strings stand for it when there is one per event.
  const asWritten = eventJson?.length === d.events.length ? eventJson : undefined;
  for (const [i, ev] of d.events.entries()) {
    const e = (typeof ev === 'object' && ev !== null ? ev : {}) as Record<string, unknown>;
    const json = asWritten?.[i] ?? JSON.stringify(ev) ?? 'null';
    const meta = { source, eventId: str(e.id), eventType: str(e.type), ccVersion: str(e.ccVersion) };
    if (host === null || claimed !== host) {
      invalid.push(
        record('host_mismatch', `batch claims host '${claimed}' on subject of host '${host ?? '(none)'}'`, json, meta),
      );
      continue;
    }
    const v = ctx.contract.event(ev);
    if (!v.ok) {
      invalid.push(record('schema', v.errors.join('; '), json, meta));
      continue;
    }
    const size = utf8Length(json);
    if (size > maxEventBytes) {
      invalid.push(record('too_large', `event is ${size} bytes, limit ${maxEventBytes}`, json, meta));
      continue;
    }
    if (e.host !== claimed) {
      invalid.push(record('wrong_host', `event host '${String(e.host)}' in a batch of host '${claimed}'`, json, meta));
      continue;
    }
    const ts = Date.parse(e.ts as string);
    if (ts > ctx.now + ctx.maxFutureMs) {
      invalid.push(
        record('future_ts', `ts ${String(e.ts)} is more than ${ctx.maxFutureMs} ms ahead of ${receivedAt}`, json, meta),
      );
      continue;
    }
    const notAllowed = ctx.usersPerHost ? userNotAllowed(ctx.usersPerHost, claimed, String(e.user)) : null;
    if (notAllowed) {
      invalid.push(record('user_not_allowed', notAllowed, json, meta));
      continue;
    }
    const impossible = implausibleUsage(ev as CctapEvent);
    if (impossible) {
      invalid.push(record('implausible_usage', impossible, json, meta));
      continue;
    }
    events.push(ev as CctapEvent);
    encoded.push(json);
  }
  if (events.length === 0) return { host, valid: null, invalid };
  // The source as the batch writer lists it, so the shared object is what decoding the output would give.
  const written = { path: source.path, fileId: source.fileId, from: source.from, to: source.to };
  const batch = { v: SCHEMA_VERSION, host: claimed, source: written, events };
  // Every event of a batch this process wrote is valid: the output is the input, byte for byte (same head,
  // same event strings, same writer). Otherwise the batch writer reuses each event's encoding.
  const out = asWritten && invalid.length === 0 ? bytes : writeBatch(claimed, source, encoded);
  shareTrustedBatch(out, batch);
  return { host, valid: { batch, bytes: out }, invalid };
}
