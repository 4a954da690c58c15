import { describe, expect, it } from 'vitest';
import { InvalidSizeError, parseSize } from '../../bench/corpus/index.js';

describe('parseSize (corpus --size)', () => {
  it('reads decimal and binary units', () => {
    expect(parseSize('200MB')).toBe(200_000_000);
    expect(parseSize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseSize('750kB')).toBe(750_000);
    expect(parseSize('2 MiB')).toBe(2 * 2 ** 20);
    expect(parseSize('4096')).toBe(4096);
  });

  it('rejects what it cannot read, naming the input', () => {
    for (const bad of ['', 'MB', '20XB', '-1MB', '1e6']) expect(() => parseSize(bad)).toThrow(InvalidSizeError);
    expect(() => parseSize('20XB')).toThrow(/"20XB"/);
  });
});
