/**
 * Decoding once per message in one process (shared-decode.ts): what the writers remember beside their bytes
 * must be exactly what the bytes say, a copy of the bytes (what NATS delivers) must know nothing, and the one
 * shared decode must be frozen so no consumer can change it under the others.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Batch } from '../batch.js';
import { sampleEvent } from '../testing/index.js';
import { decodeTrustedBatch, encodeBatch } from './batch.js';
import { decodeTrustedDerived } from './derived.js';
import {
  decodeShared,
  encodeMembers,
  encodeText,
  forgetWritten,
  shareDecoded,
  takeWrittenMembers,
  textOf,
} from './shared-decode.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
/** The bytes as plain numbers: equal however each side's view sits in its ArrayBuffer. */
const octets = (b: Uint8Array) => Array.from(b);

const TEXTS = ['', 'plain ascii', 'é "quoted" \\ back\nslash', '日本語のテキスト', 'emoji 😀👩‍💻 and \u2028 \u2029'];

describe('the bytes the writers make', () => {
  it.each(TEXTS)('encodeText(%j) is the UTF-8 of the text', (s) => {
    expect(octets(encodeText(s))).toEqual(octets(utf8(s)));
  });

  it.each([
    ['{"a":[', ['1', '"é"', '{"e":"😀"}'], ']}'],
    ['[', ['"日本"'], ']'],
    ['{"events":[', [], ']}'],
    ['', ['"x"', '"y"'], ''],
    ['«', ['', ''], '»'],
  ] as const)(
    'encodeMembers(%j, %j, %j) is the UTF-8 of head + members joined by commas + tail',
    (head, members, tail) => {
      const bytes = encodeMembers(head, members, tail);
      const joined = `${head}${members.join(',')}${tail}`;
      expect(bytes.byteLength).toBe(utf8(joined).byteLength);
      expect(octets(bytes)).toEqual(octets(utf8(joined)));
    },
  );
});

describe('textOf', () => {
  it('gives back the text remembered bytes were written from, without decoding them', () => {
    const s = 'é 😀 "x"';
    const bytes = encodeText(s);
    bytes.fill(0x78); // what textOf answers must come from the memory, not from the bytes
    expect(textOf(bytes)).toBe(s);

    const members = encodeMembers('[', ['"é"', '"😀"'], ']');
    members.fill(0x78);
    expect(textOf(members)).toBe('["é","😀"]');
  });

  it('decodes bytes it does not know, and a copy of remembered bytes is bytes it does not know', () => {
    expect(textOf(utf8('日本 😀'))).toBe('日本 😀');
    const bytes = encodeText('é 😀');
    expect(textOf(new Uint8Array(bytes))).toBe('é 😀');
    // The copy is read for what it holds: a changed first byte shows (0xc3 -> 'x', leaving a stray 0xa9).
    const copy = new Uint8Array(bytes);
    copy[0] = 0x78;
    expect(textOf(copy)).toBe('x\ufffd 😀');
    expect(textOf(bytes)).toBe('é 😀');
  });
});

describe('takeWrittenMembers', () => {
  it('is the head, members and tail for bytes encodeMembers wrote, once, and nothing for any other bytes', () => {
    const members = ['{"a":1}', '{"b":"é"}'];
    const bytes = encodeMembers('{"events":[', members, ']}');
    expect(takeWrittenMembers(new Uint8Array(bytes))).toBeUndefined();
    expect(takeWrittenMembers(bytes)).toEqual({ head: '{"events":[', members, tail: ']}' });
    // Taken: not kept beside the bytes any more, whose text is then decoded.
    expect(takeWrittenMembers(bytes)).toBeUndefined();
    expect(textOf(bytes)).toBe('{"events":[{"a":1},{"b":"é"}]}');
    expect(takeWrittenMembers(encodeText('{"events":[{"a":1},{"b":"é"}]}'))).toBeUndefined();
    expect(takeWrittenMembers(utf8('{"events":[]}'))).toBeUndefined();
    expect(takeWrittenMembers(encodeMembers('[', [], ']'))).toEqual({ head: '[', members: [], tail: ']' });
  });
});

describe('forgetWritten', () => {
  it('drops what bytes were written from (they left the process): their text is decoded again', () => {
    const bytes = encodeMembers('{"events":[', ['{"a":1}'], ']}');
    bytes[0] = 0x20; // changed under the memo: only a decode can see it
    forgetWritten(bytes);
    expect(takeWrittenMembers(bytes)).toBeUndefined();
    expect(textOf(bytes)).toBe(' "events":[{"a":1}]}');
  });
});

describe('decodeShared', () => {
  it('decodes each bytes object once and returns the same object after', () => {
    const bytes = encodeText('{"a":{"b":[1,2]}}');
    const decode = vi.fn((text: string) => JSON.parse(text) as object);
    const first = decodeShared(bytes, decode);
    const second = decodeShared(bytes, decode);
    expect(second).toBe(first);
    expect(decode).toHaveBeenCalledTimes(1);
    expect(decode).toHaveBeenCalledWith('{"a":{"b":[1,2]}}');

    // Other bytes, even the same bytes copied, are another message: decoded on their own.
    const copied = decodeShared(new Uint8Array(bytes), decode);
    expect(decode).toHaveBeenCalledTimes(2);
    expect(copied).toEqual(first);
    expect(copied).not.toBe(first);
  });

  it('shares nothing when the decode throws: the next call decodes again', () => {
    const bytes = encodeText('{}');
    let calls = 0;
    const decode = (): object => {
      calls++;
      if (calls === 1) throw new Error('first decode fails');
      return {};
    };
    expect(() => decodeShared(bytes, decode)).toThrow('first decode fails');
    expect(decodeShared(bytes, decode)).toEqual({});
    expect(calls).toBe(2);
  });

  it('returns what shareDecoded kept for the bytes without decoding them', () => {
    const bytes = encodeText('{"ignored":true}');
    const doc = { kept: true };
    expect(shareDecoded(bytes, doc)).toBe(doc);
    const decode = vi.fn(() => ({ decoded: true }));
    expect(decodeShared(bytes, decode)).toBe(doc);
    expect(decode).not.toHaveBeenCalled();
  });
});

describe('a shared batch', () => {
  const batch: Batch = {
    v: 1,
    host: 'host-a',
    source: { path: '/p.jsonl', fileId: 'f1', from: 0, to: 200 },
    events: [sampleEvent('prompt', { text: 'é 😀' }), sampleEvent('prompt', {}, { offset: 100 })],
  };

  it('is frozen down to each event payload, so writing a field throws where it is written', () => {
    const shared = decodeTrustedBatch(encodeBatch(batch));
    expect(Object.isFrozen(shared)).toBe(true);
    expect(Object.isFrozen(shared.source)).toBe(true);
    expect(Object.isFrozen(shared.events)).toBe(true);
    for (const e of shared.events) {
      expect(Object.isFrozen(e)).toBe(true);
      expect(Object.isFrozen(e.payload)).toBe(true);
      expect(Object.isFrozen(e.source)).toBe(true);
    }
    const event = shared.events[0] as unknown as Record<string, unknown>;
    const payload = shared.events[0]!.payload as unknown as Record<string, unknown>;
    expect(() => {
      (shared as unknown as Record<string, unknown>).host = 'host-b';
    }).toThrow(TypeError);
    expect(() => {
      (shared.events as unknown[]).push(batch.events[0]);
    }).toThrow(TypeError);
    expect(() => {
      event.user = 'mallory';
    }).toThrow(TypeError);
    expect(() => {
      payload.text = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      payload.added = 1;
    }).toThrow(TypeError);
    expect(shared).toEqual(batch);
  });

  it('is one object for the bytes written, and a copy of the bytes decodes to an equal but other object', () => {
    const bytes = encodeBatch(batch);
    const shared = decodeTrustedBatch(bytes);
    expect(decodeTrustedBatch(bytes)).toBe(shared);
    const fromCopy = decodeTrustedBatch(new Uint8Array(bytes));
    expect(fromCopy).toStrictEqual(shared);
    expect(fromCopy).not.toBe(shared);
    expect(fromCopy.events[0]).not.toBe(shared.events[0]);
  });

  it('is not the only shared decode: a derived event is decoded once and frozen the same way', () => {
    const derivedBytes = encodeText('{"kind":"loop.detected","payload":{"n":1}}');
    const d = decodeTrustedDerived(derivedBytes);
    expect(decodeTrustedDerived(derivedBytes)).toBe(d);
    expect(Object.isFrozen(d.payload)).toBe(true);
  });
});
