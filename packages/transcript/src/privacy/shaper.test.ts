/** Shaper.value copies a tool input only where something changed, and never touches the parsed original. */
import { describe, expect, it } from 'vitest';
import { truncationMarker } from '@cctap/events';
import { Shaper } from './shaper.js';

const secret = 'sk-ant-api03-Abc123_def456-GHI789jkl012';

describe('Shaper.value', () => {
  it('returns an input without secrets or long strings as is', () => {
    const input = JSON.parse('{"command":"ls -la","nested":{"list":[1,"two",null]}}') as unknown;
    expect(new Shaper('redacted', 1000).value(input, 0)).toBe(input);
    expect(new Shaper('full', 1000).value(input, 0)).toBe(input);
  });

  it('copies the path to a changed string and leaves the original unchanged', () => {
    const json = `{"a":"keep","b":{"c":["x","use ${secret}"],"d":{"e":1}},"__proto__":{"f":"g"}}`;
    const input = JSON.parse(json) as Record<string, unknown>;
    const out = new Shaper('redacted', 1000).value(input, json.length) as Record<string, unknown>;
    expect(JSON.stringify(input)).toBe(json);
    expect(JSON.stringify(out)).not.toContain(secret);
    expect(JSON.stringify(out)).toContain('[REDACTED:anthropic_key]');
    const b = out.b as Record<string, unknown>;
    expect(b).not.toBe(input.b);
    // Untouched branches are shared, the own `__proto__` key stays data.
    expect(b.d).toBe((input.b as Record<string, unknown>).d);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
  });

  it('copies an array from the first changed element on', () => {
    const input = ['a', 'b', 'x'.repeat(100), 'c'];
    const out = new Shaper('full', 16).value(input, 0) as string[];
    expect(out).not.toBe(input);
    expect(out.slice(0, 2)).toEqual(['a', 'b']);
    expect(out[2]).toBe('x'.repeat(16) + truncationMarker(100));
    expect(out[3]).toBe('c');
    expect(input[2]).toBe('x'.repeat(100));
  });
});
