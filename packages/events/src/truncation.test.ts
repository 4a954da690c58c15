import { describe, expect, it } from 'vitest';
import { TRUNCATION_MARKER } from './limits.js';
import { capText, headOf, truncationMarker } from './truncation.js';

describe('truncation', () => {
  it('marks a cut text with the original length', () => {
    expect(truncationMarker(91234)).toBe('…[truncated 91234 chars]');
    expect(truncationMarker(1).startsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('capText keeps a text that fits and cuts one that does not', () => {
    expect(capText('abc', 3)).toBe('abc');
    expect(capText('abcdef', 3)).toBe('abc…[truncated 6 chars]');
  });

  it('never splits a surrogate pair', () => {
    const s = 'ab😀cd'; // the emoji is units 2 and 3
    expect(headOf(s, 3)).toBe('ab');
    expect(headOf(s, 4)).toBe('ab😀');
    expect(capText(s, 3)).toBe(`ab${truncationMarker(s.length)}`);
  });
});
