import { describe, expect, it } from 'vitest';
import { CONSUMERS, STREAM_KEYS, sanitizeToken, topology } from './topology.js';

describe('sanitizeToken', () => {
  it.each([
    ['dev.example.com', 'dev_example_com'],
    ['My Laptop', 'my_laptop'],
    ['host*>', 'host'],
    ['a.*.b', 'a_b'],
    ['UPPER-case_ok', 'upper-case_ok'],
    ['...', 'unknown'],
    ['', 'unknown'],
    ['x'.repeat(100), 'x'.repeat(64)],
  ])('%j -> %j', (input, expected) => {
    expect(sanitizeToken(input)).toBe(expected);
  });

  it('always yields one subject token', () => {
    for (const v of ['a b.c*d>e\tf', 'ümlaut-host', '$JS.API', ' lead'])
      expect(sanitizeToken(v)).toMatch(/^[a-z0-9_-]{1,64}$/);
  });
});

describe('topology', () => {
  it('default names', () => {
    const t = topology();
    expect(t.subjects.raw('dev.box')).toBe('cctap.raw.dev_box');
    expect(t.stream('events')).toBe('CCTAP_EVENTS');
    expect(t.consumer('sink-events')).toBe('sink-events');
    expect(t.bucket('alerts')).toBe('cctap_alerts');
    expect(t.hostOf('cctap.raw.dev_box')).toBe('dev_box');
    expect(t.hostOf('cctap.derived.loop.dev_box')).toBe('dev_box');
    expect(t.hostOf('other.raw.dev_box')).toBeNull();
    expect(t.hostOf(t.subjects.events('dev.box'))).toBe('dev_box');
  });

  it('a host always lands in the same events partition, and hosts spread over all of them', () => {
    const t = topology();
    expect(t.subjects.events('Dev.Box')).toBe(t.subjects.events('dev_box'));
    const used = new Set<string>();
    for (let i = 0; i < 200; i++) used.add(t.subjects.events(`host-${i}`).split('.').pop()!);
    expect([...used].sort()).toEqual(Array.from({ length: t.partitions }, (_, k) => String(k)));
    expect(t.subjects.eventsPartition(3)).toBe('cctap.events.*.3');
  });

  it('a prefix isolates every name', () => {
    const a = topology('test-1.x');
    const d = topology();
    expect(a.prefix).toBe('test-1_x');
    expect(a.subjects.events('h')).toMatch(/^test-1_x\.cctap\.events\.h\.[0-7]$/);
    expect(a.stream('raw')).toBe('TEST_1_X_CCTAP_RAW');
    expect(a.consumer('validator')).toBe('test-1_x-validator');
    expect(a.bucket('silences')).toBe('test-1_x_cctap_silences');
    expect(a.hostOf('test-1_x.cctap.raw.h')).toBe('h');
    expect(a.hostOf('cctap.raw.h')).toBeNull();
    for (const k of STREAM_KEYS) {
      expect(a.stream(k)).not.toBe(d.stream(k));
      for (const s of a.streamSubjects(k)) expect(d.streamSubjects(k)).not.toContain(s);
    }
    for (const c of Object.keys(CONSUMERS) as (keyof typeof CONSUMERS)[])
      expect(a.consumerStream(c)).toBe(a.stream(CONSUMERS[c].stream));
  });
});
