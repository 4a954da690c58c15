import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  alertMsgId,
  analyzerMsgId,
  batchMsgId,
  deadLetterMsgId,
  derivedMsgId,
  eventId,
  fileId,
  heartbeatId,
  heartbeatMsgId,
  lineEventId,
  quotaMsgId,
  guardMsgId,
  stableUuid,
  streamPositionId,
} from './ids.js';

const sha = (...parts: (string | number)[]) => createHash('sha256').update(parts.join('\u001f')).digest();

/** The documented construction, computed independently: first 16 bytes, version nibble 8, variant 10. */
function uuidOf(d: Buffer): string {
  const b = Buffer.from(d.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

describe('deterministic ids', () => {
  it('eventId = version-8 UUID of sha256("event", host, file, offset, index)', () => {
    for (const [host, file, off, idx] of [
      ['h1', 'abcdef0123456789', 0, 0],
      ['host-a', 'ff00', 12345, 3],
      ['x', 'y', 2 ** 40, 99],
    ] as const) {
      expect(eventId(host, file, off, idx)).toBe(uuidOf(sha('event', host, file, off, idx)));
    }
    expect(eventId('h', 'f', 1, 0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never changes across releases (pinned values: changing them breaks idempotency of stored data)', () => {
    expect(eventId('h1', 'abcdef0123456789', 0, 0)).toBe('32a85525-6872-82c3-b1e2-450c3526a78e');
    expect(fileId(2049, 131073, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe(
      '4727e32b3fd47ade',
    );
    expect(batchMsgId('h1', 'f', 0, 100)).toBe('b-1309288d5d6d2b6b244494574f60c8a238c479db');
    expect(derivedMsgId('validator', 'b-123')).toBe('validator-16d2def9da367b8643861d4c96c1689349cfb225');
    expect(heartbeatId('h1', '2026-01-01T00:00:00.000Z', 7)).toBe('d0537f99-cc51-80ee-bce6-f7e41df4264f');
    expect(stableUuid('a', 1)).toBe('839e11a4-21d3-80be-a8db-56fde67e9aad');
  });

  it('is a function of its inputs only, and every input matters', () => {
    const base = eventId('h', 'f', 10, 0);
    expect(eventId('h', 'f', 10, 0)).toBe(base);
    expect(
      new Set([
        base,
        eventId('h2', 'f', 10, 0),
        eventId('h', 'f2', 10, 0),
        eventId('h', 'f', 11, 0),
        eventId('h', 'f', 10, 1),
      ]).size,
    ).toBe(5);
    // Parts are separated, so shifting characters between parts changes the id.
    expect(eventId('ab', 'c', 1, 0)).not.toBe(eventId('a', 'bc', 1, 0));
  });

  it('fileId changes with device, inode and head hash; bigint and number agree', () => {
    const f = fileId(1, 2, 'aa');
    expect(f).toMatch(/^[0-9a-f]{16}$/);
    expect(fileId(1n, 2n, 'aa')).toBe(f);
    expect(new Set([f, fileId(9, 2, 'aa'), fileId(1, 9, 'aa'), fileId(1, 2, 'bb')]).size).toBe(4);
    expect(f).toBe(sha('file', '1', '2', 'aa').toString('hex').slice(0, 16));
  });

  it('lineEventId = version-8 UUID of sha256("line", host, sessionId, lineKey, index); pinned', () => {
    expect(lineEventId('h1', 's1', 'u:abc', 0)).toBe(uuidOf(sha('line', 'h1', 's1', 'u:abc', 0)));
    expect(lineEventId('h1', 's1', 'u:abc', 0)).toBe('8ee574bb-52cc-87a2-8e5b-c1c38b726f2d');
    const base = lineEventId('h', 's', 'u:1', 0);
    expect(
      new Set([
        base,
        lineEventId('h2', 's', 'u:1', 0),
        lineEventId('h', 's2', 'u:1', 0),
        lineEventId('h', 's', 'u:2', 0),
        lineEventId('h', 's', 'u:1', 1),
      ]).size,
    ).toBe(5);
  });

  it('a batch msg id with a digest of its lines differs from the same range with other lines', () => {
    expect(batchMsgId('h', 'f', 0, 10, 'aa')).toBe(
      `b-${sha('batch', 'h', 'f', 0, 10, 'aa').toString('hex').slice(0, 40)}`,
    );
    expect(batchMsgId('h', 'f', 0, 10, 'aa')).not.toBe(batchMsgId('h', 'f', 0, 10, 'bb'));
    expect(batchMsgId('h', 'f', 0, 10, 'aa')).not.toBe(batchMsgId('h', 'f', 0, 10));
  });

  it('batch and derived message ids depend on the byte range and stage', () => {
    expect(batchMsgId('h', 'f', 0, 10)).toBe(`b-${sha('batch', 'h', 'f', 0, 10).toString('hex').slice(0, 40)}`);
    expect(batchMsgId('h', 'f', 0, 10)).not.toBe(batchMsgId('h', 'f', 0, 11));
    expect(derivedMsgId('validator', 'b-1')).not.toBe(derivedMsgId('validator', 'b-1', 1));
    expect(derivedMsgId('validator', 'b-1')).not.toBe(derivedMsgId('analyzer', 'b-1'));
  });

  it('the other message ids keep the forms stored streams already hold (a change would defeat their dedup)', () => {
    const id = '839e11a4-21d3-80be-a8db-56fde67e9aad';
    expect(heartbeatMsgId(id)).toBe(`hb-${id}`);
    expect(quotaMsgId(id)).toBe(`q-${id}`);
    expect(guardMsgId(id, id)).toBe(`g-${id}-${id}`);
    expect(alertMsgId(id)).toBe(id);
    expect(deadLetterMsgId('CCTAP_EVENTS', 42, 'sink-events')).toBe('CCTAP_EVENTS:42:sink-events');
    expect(streamPositionId('CCTAP_RAW', 7)).toBe('CCTAP_RAW:7');
    const body = '{"kind":"tool.span","é":1}';
    const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
    expect(analyzerMsgId(id, body)).toBe(`an-${id}-${digest}`);
    // The bytes on the wire and the text they encode give the same id.
    expect(analyzerMsgId(id, new TextEncoder().encode(body))).toBe(analyzerMsgId(id, body));
  });
});
