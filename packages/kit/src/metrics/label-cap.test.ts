import { describe, expect, it } from 'vitest';
import { LabelCap, OTHER_LABEL } from './label-cap.js';

describe('LabelCap', () => {
  it('keeps the first max distinct values and reports the rest as other', () => {
    const cap = new LabelCap(2);
    expect(['a', 'b', 'c', 'a', 'b', 'd'].map((v) => cap.of(v))).toEqual(['a', 'b', OTHER_LABEL, 'a', 'b', 'other']);
  });

  it('a value first seen after the cap stays other', () => {
    const cap = new LabelCap(1);
    cap.of('x');
    expect(cap.of('y')).toBe('other');
    expect(cap.of('y')).toBe('other');
    expect(cap.of('x')).toBe('x');
  });
});
