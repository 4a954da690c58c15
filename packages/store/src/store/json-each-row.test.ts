/**
 * The JSONEachRow bytes the embedded store moves to its thread: one line per row, each line the row's
 * JSON.stringify, in a buffer of their own (the whole ArrayBuffer is transferred, so it must hold nothing else).
 */
import { describe, expect, it } from 'vitest';
import { jsonEachRow } from './json-each-row.js';

const rows = [
  { id: 1, text: 'plain' },
  { id: 2, text: 'é "quoted" \\ back\nslash\r\ttab \u2028 日本 😀', nested: { a: [1, [2, { b: null }]], e: '' } },
  { id: 3, text: '\u0000\u001f control', lone: '\ud800' },
];

describe('jsonEachRow', () => {
  it('is one line per row, each parsing back to its row', () => {
    const bytes = jsonEachRow(rows);
    const text = new TextDecoder().decode(bytes);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(rows.length);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(rows);
    expect(lines).toEqual(rows.map((r) => JSON.stringify(r)));
  });

  it('is exactly the UTF-8 of the joined lines, in a buffer that holds nothing else', () => {
    const bytes = jsonEachRow(rows);
    const expected = new TextEncoder().encode(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    expect(Array.from(bytes)).toEqual(Array.from(expected));
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
  });

  it('of a single small row is still its own buffer (not a slice of the shared pool)', () => {
    const a = jsonEachRow([{ x: 1 }]);
    const b = jsonEachRow([{ x: 2 }]);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(a.byteLength);
  });
});
