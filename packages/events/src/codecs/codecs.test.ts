import { describe, expect, it } from 'vitest';
import { alertSchema, type Alert } from '../alert.js';
import type { Batch } from '../batch.js';
import { derivedEventSchema, type DerivedEvent } from '../derived.js';
import { EVENT_TYPES } from '../event-types.js';
import { stableUuid } from '../ids.js';
import { invalidRecordSchema, type InvalidRecord } from '../invalid.js';
import { sampleEvent } from '../testing/index.js';
import { decodeCheckedAlert, decodeTrustedAlert, encodeAlert } from './alert.js';
import {
  BATCH_TAIL,
  batchHead,
  decodeCheckedBatch,
  decodeTrustedBatch,
  encodeBatch,
  parseBatchText,
  readBatch,
  writeBatch,
} from './batch.js';
import { decodeCheckedDerived, decodeTrustedDerived, encodeDerived } from './derived.js';
import { decodeCheckedInvalid, decodeTrustedInvalid, encodeInvalid } from './invalid.js';
import { DecodeError } from './json.js';

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const bytes = (s: string) => new TextEncoder().encode(s);
/** The document with one field renamed: what a producer and a consumer disagreeing on a name look like. */
function renamed(doc: object, path: string[], to: string): Uint8Array {
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  at[to] = at[last];
  delete at[last];
  return bytes(JSON.stringify(copy));
}

const batch: Batch = {
  v: 1,
  host: 'host-a',
  source: { path: '/home/alice/.claude/projects/p/s.jsonl', fileId: 'f1', from: 0, to: 900 },
  events: EVENT_TYPES.map((type, i) => sampleEvent(type, {}, { offset: i * 100 })),
};

const derived: DerivedEvent = derivedEventSchema.parse({
  id: stableUuid('d', 1),
  ts: '2026-03-01T10:00:01.000Z',
  host: 'host-a',
  user: 'alice',
  sessionId: 's',
  agentId: null,
  project: '/app',
  gitBranch: 'main',
  kind: 'loop.detected',
  payload: {
    tool: 'Bash',
    inputHash: 'h',
    count: 5,
    windowMs: 60000,
    firstTs: '2026-03-01T10:00:00.000Z',
    lastTs: '2026-03-01T10:00:01.000Z',
  },
});

const alert: Alert = alertSchema.parse({
  v: 1,
  id: stableUuid('alert', 1),
  key: 'k',
  rule: 'loop',
  severity: 'warning',
  status: 'firing',
  seq: 1,
  summary: 'Bash loops',
  description: null,
  labels: { host: 'host-a' },
  host: 'host-a',
  user: 'alice',
  project: '/app',
  sessionId: 's',
  startsAt: '2026-03-01T10:00:00.000Z',
  endsAt: null,
  updatedAt: '2026-03-01T10:00:30.000Z',
  occurrences: 1,
  evidence: {
    eventId: null,
    eventType: null,
    ts: null,
    command: null,
    filePath: null,
    findings: [],
    value: 5,
    threshold: 4,
  },
});

const invalid: InvalidRecord = invalidRecordSchema.parse({
  v: 1,
  reason: 'schema',
  detail: '/type must be equal to one of the allowed values',
  host: 'host-a',
  receivedAt: '2026-03-01T10:00:00.000Z',
  subject: 'cctap.raw.host-a',
  source: { path: '/p.jsonl', fileId: 'f1', from: 0, to: 10 },
  eventId: null,
  eventType: 'weird',
  ccVersion: '2.1.3',
  raw: '{"type":"weird"}',
});

describe('the batch writer', () => {
  it('writes byte for byte what JSON.stringify writes, for an event of every type', () => {
    expect(text(encodeBatch(batch))).toBe(JSON.stringify(batch));
    const withText = { ...batch, events: [sampleEvent('prompt', { text: 'é "quoted" \u2028 😀' })] };
    expect(text(encodeBatch(withText))).toBe(JSON.stringify(withText));
  });

  it('keeps the schema key order of the source whatever object it is given', () => {
    const { path, fileId, from, to } = batch.source;
    const shuffled = { to, from, fileId, path };
    expect(
      text(
        writeBatch(
          batch.host,
          shuffled,
          batch.events.map((e) => JSON.stringify(e)),
        ),
      ),
    ).toBe(JSON.stringify(batch));
  });

  it('is head + events + tail, so a cutter can size a batch before it writes it', () => {
    expect(batchHead('h', batch.source) + BATCH_TAIL).toBe(
      JSON.stringify({ v: 1, host: 'h', source: batch.source, events: [] }),
    );
  });
});

describe('the batch decodes', () => {
  it('round-trips, trusted and checked', () => {
    expect(decodeTrustedBatch(encodeBatch(batch))).toEqual(batch);
    expect(decodeCheckedBatch(encodeBatch(batch))).toEqual(batch);
  });

  it('names what is wrong with a body that is no batch', () => {
    expect(() => parseBatchText('{"v":1, nope')).toThrow(/^not JSON: /);
    expect(() => parseBatchText('[1,2]')).toThrow('not a batch: expected an object with an events array');
    expect(() => parseBatchText('{"v":1}')).toThrow('not a batch: expected an object with an events array');
    expect(() => decodeTrustedBatch(bytes('null'))).toThrow(DecodeError);
  });

  it('checked: refuses a renamed field that trusted lets through', () => {
    const body = renamed(batch, ['source', 'fileId'], 'file');
    expect(decodeTrustedBatch(body).source).not.toHaveProperty('fileId');
    expect(() => decodeCheckedBatch(body)).toThrow(/source/);
  });
});

describe('readBatch, what the trust boundary reads', () => {
  const withText = { ...batch, events: [...batch.events, sampleEvent('prompt', { text: 'é "quoted" \u2028 😀' })] };

  it("reads the writer's bytes as it reads a copy of them, and has the event strings only from the writer's", () => {
    const written = encodeBatch(withText);
    const fromWriter = readBatch(written);
    const fromCopy = readBatch(new Uint8Array(written));
    expect(fromWriter.doc).toStrictEqual(fromCopy.doc);
    expect(fromWriter.doc).toEqual(withText);
    expect(fromCopy.eventJson).toBeUndefined();
    expect(fromWriter.eventJson).toEqual(withText.events.map((e) => JSON.stringify(e)));
    // Untrusted input is parsed afresh: the doc is the reader's to check, not a shared frozen one.
    expect(Object.isFrozen(fromWriter.doc)).toBe(false);
    expect(readBatch(written).doc).not.toBe(fromWriter.doc);
  });

  it('reads a batch of no events the same both ways', () => {
    const written = writeBatch(batch.host, batch.source, []);
    expect(readBatch(written)).toStrictEqual({ doc: { ...batch, events: [] }, eventJson: [] });
    expect(readBatch(new Uint8Array(written))).toStrictEqual({ doc: { ...batch, events: [] }, eventJson: undefined });
  });

  it('reads bytes no writer made (encodeText or another process) from the bytes, with no event strings', () => {
    const r = readBatch(bytes(JSON.stringify(withText)));
    expect(r.doc).toStrictEqual(readBatch(encodeBatch(withText)).doc);
    expect(r.eventJson).toBeUndefined();
    expect(() => readBatch(bytes('{"v":1}'))).toThrow(DecodeError);
  });
});

describe.each([
  ['derived', derived, encodeDerived, decodeTrustedDerived, decodeCheckedDerived, ['payload', 'tool']],
  ['alert', alert, encodeAlert, decodeTrustedAlert, decodeCheckedAlert, ['startsAt']],
  ['invalid', invalid, encodeInvalid, decodeTrustedInvalid, decodeCheckedInvalid, ['receivedAt']],
] as const)('the %s codec', (stream, doc, encode, trusted, checked, field) => {
  const enc = encode as (d: unknown) => Uint8Array;

  it('round-trips, trusted and checked, as the JSON it always was', () => {
    expect(text(enc(doc))).toBe(JSON.stringify(doc));
    expect(trusted(enc(doc))).toEqual(doc);
    expect(checked(enc(doc))).toEqual(doc);
  });

  it('checked: refuses a renamed field, naming it; trusted does not look', () => {
    const body = renamed(doc, [...field], 'renamed');
    expect(() => trusted(body)).not.toThrow();
    const err = (() => {
      try {
        checked(body);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).stream).toBe(stream);
    expect((err as DecodeError).message).toContain(field[field.length - 1]);
  });

  it('both refuse a body that is not a JSON object', () => {
    for (const body of ['nope', '[]', 'null', '"x"']) {
      expect(() => trusted(bytes(body))).toThrow(DecodeError);
      expect(() => checked(bytes(body))).toThrow(DecodeError);
    }
  });
});
