/** decodeLine decodes once and re-validates only text that holds U+FFFD: both kinds of U+FFFD must be told apart. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encoder } from '../testing/lines.js';
import { decodeLine } from './normalize-line.js';
import { seedProperties } from '../testing/property-seed.js';

seedProperties();

describe('decodeLine', () => {
  it('valid text, ASCII and not', () => {
    expect(decodeLine(encoder.encode('{"a":"b"}'))).toEqual({ text: '{"a":"b"}', invalidUtf8: false });
    expect(decodeLine(encoder.encode('{"a":"→ é 😀"}'))).toEqual({ text: '{"a":"→ é 😀"}', invalidUtf8: false });
  });

  it('a U+FFFD written as such is valid UTF-8', () => {
    expect(decodeLine(encoder.encode('{"a":"\ufffd"}'))).toEqual({ text: '{"a":"\ufffd"}', invalidUtf8: false });
  });

  it('invalid bytes become U+FFFD and are flagged', () => {
    const bytes = new Uint8Array([...encoder.encode('{"a":"x'), 0xc3, ...encoder.encode('"}')]);
    expect(decodeLine(bytes)).toEqual({ text: '{"a":"x\ufffd"}', invalidUtf8: true });
  });

  it('a leading BOM is dropped', () => {
    expect(decodeLine(new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('{}')]))).toEqual({
      text: '{}',
      invalidUtf8: false,
    });
  });
});

describe('decodeLine on Buffers and plain byte arrays', () => {
  const reference = new TextDecoder('utf-8');
  const fatal = new TextDecoder('utf-8', { fatal: true });
  const valid = (b: Uint8Array): boolean => {
    try {
      fatal.decode(b);
      return true;
    } catch {
      return false;
    }
  };
  // Bytes biased towards UTF-8 lead/continuation bytes, BOMs and ASCII, so that every kind of bad sequence shows up.
  const bytes = fc
    .array(
      fc.oneof(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xbb, 0x41),
      ),
      { maxLength: 40 },
    )
    .map((a) => new Uint8Array(a));

  it('both give what TextDecoder gives, and flag exactly the invalid input', () => {
    fc.assert(
      fc.property(bytes, fc.boolean(), (b, withBom) => {
        const input = withBom ? new Uint8Array([0xef, 0xbb, 0xbf, ...b]) : b;
        const want = { text: reference.decode(input), invalidUtf8: !valid(input) };
        expect(decodeLine(Buffer.from(input))).toEqual(want);
        expect(decodeLine(input)).toEqual(want);
      }),
      { numRuns: 5000 },
    );
  });
});
