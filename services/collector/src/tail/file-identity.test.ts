import { describe, expect, it } from 'vitest';
import { HEAD_BYTES, headOf } from './file-identity.js';
import { resolveRoots } from '../discovery/roots.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('file head', () => {
  it('is stable while the file grows, and absent until there is a complete line or HEAD_BYTES bytes', () => {
    expect(headOf(enc('{"partial'))).toBeNull();
    const one = headOf(enc('{"a":1}\n'));
    expect(one).toEqual(headOf(enc('{"a":1}\n{"b":2}\n{"c"')));
    expect(one!.length).toBe(8);
    const long = 'x'.repeat(HEAD_BYTES + 10);
    expect(headOf(enc(long))!.length).toBe(HEAD_BYTES);
    expect(headOf(enc(`${long}\nmore`))).toEqual(headOf(enc(long)));
    expect(headOf(enc('{"a":2}\n'))!.sha256).not.toBe(one!.sha256);
  });
});

describe('resolveRoots', () => {
  it('uses CLAUDE_CONFIG_DIR (comma-separated) over the defaults and drops duplicates', () => {
    expect(resolveRoots({ env: { CLAUDE_CONFIG_DIR: '/a,/b/projects,/a' }, home: '/h' })).toEqual(['/a', '/b']);
    expect(resolveRoots({ env: {}, home: '/h' })).toEqual(['/h/.claude', '/h/.config/claude']);
    expect(resolveRoots({ env: { XDG_CONFIG_HOME: '/x' }, home: '/h' })).toEqual(['/h/.claude', '/x/claude']);
    expect(resolveRoots({ roots: ['~/r'], env: { CLAUDE_CONFIG_DIR: '/a' }, home: '/h' })).toEqual(['/h/r']);
  });
});
