/**
 * Property tests: whatever the bytes, normalizeLine and TranscriptStream return events (never throw), every
 * event passes the contract schema and encodes below MAX_EVENT_BYTES.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES, type CctapEvent, type PrivacyMode } from '@cctap/events';
import { eventSchema } from '@cctap/events/internal';
import { TranscriptStream } from '../stream/transcript-stream.js';
import { bytesOf, encoder, envelope, lineCtx } from '../testing/lines.js';
import { malformedEvent } from './malformed-event.js';
import { normalizeLine } from './normalize-line.js';
import { seedProperties } from '../testing/property-seed.js';

seedProperties();

const DIR = fileURLToPath(new URL('../../../../test/fixtures/real/', import.meta.url));
const REAL_LINES: Uint8Array[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) =>
    readFileSync(`${DIR}${f}`, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0 && l.length < 200_000)
      .map((l) => encoder.encode(l)),
  );

const MODES: PrivacyMode[] = ['metadata', 'redacted', 'full'];

function check(events: CctapEvent[]): void {
  for (const e of events) {
    const r = eventSchema.safeParse(e);
    if (!r.success) throw new Error(`${e.type}: ${r.error.message.slice(0, 500)}`);
    expect(Buffer.byteLength(JSON.stringify(e))).toBeLessThan(MAX_EVENT_BYTES);
  }
}

function normalizeChecked(bytes: Uint8Array, privacy: PrivacyMode, stringCap?: number): CctapEvent[] {
  const ctx = lineCtx(privacy, stringCap === undefined ? {} : { stringCap });
  const r = normalizeLine(bytes, ctx);
  const events = 'failure' in r ? [malformedEvent(bytes, r.failure, ctx)] : r.events;
  expect(events.length).toBeGreaterThan(0);
  check(events);
  return events;
}

const LINE_TYPES = [
  'user',
  'assistant',
  'system',
  'progress',
  'attachment',
  'summary',
  'queue-operation',
  'file-history-snapshot',
  'custom-title',
  'turn_end',
  'x',
];
const SUBTYPES = [
  'compact_boundary',
  'microcompact_boundary',
  'api_error',
  'turn_duration',
  'stop_hook_summary',
  'local_command',
];
const block = fc.oneof(
  fc.record({
    type: fc.constant('text'),
    text: fc.oneof(
      fc.string(),
      fc.constant('[Request interrupted by user for tool use]'),
      fc.constant("You've hit your limit · resets 5pm"),
    ),
  }),
  fc.record({
    type: fc.constant('tool_use'),
    id: fc.string(),
    name: fc.constantFrom('Bash', 'Read', 'Task', 'Agent', 'Write', 'mcp__x__y'),
    input: fc.anything(),
  }),
  fc.record({
    type: fc.constant('tool_result'),
    tool_use_id: fc.string(),
    is_error: fc.anything(),
    content: fc.oneof(fc.string(), fc.array(fc.anything())),
  }),
  fc.record({ type: fc.constantFrom('thinking', 'image', 'server_tool_use', 'zzz') }),
  fc.anything(),
);
/** Objects shaped like transcript lines, with every field allowed to have the wrong type. */
const lineLike = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...LINE_TYPES), fc.anything()),
    subtype: fc.oneof(fc.constantFrom(...SUBTYPES), fc.anything()),
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'bad' : d.toISOString())),
      fc.string(),
      fc.integer(),
      fc.anything(),
    ),
    uuid: fc.anything(),
    parentUuid: fc.anything(),
    sessionId: fc.anything(),
    agentId: fc.anything(),
    cwd: fc.anything(),
    isSidechain: fc.anything(),
    isMeta: fc.anything(),
    isApiErrorMessage: fc.anything(),
    requestId: fc.anything(),
    message: fc.record(
      {
        model: fc.oneof(fc.constantFrom('claude-opus-4-6', '<synthetic>'), fc.anything()),
        id: fc.anything(),
        content: fc.oneof(fc.string(), fc.array(block, { maxLength: 5 }), fc.anything()),
        usage: fc.oneof(
          fc.record(
            { input_tokens: fc.anything(), output_tokens: fc.integer(), cache_creation: fc.anything() },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
      },
      { requiredKeys: [] },
    ),
    toolUseResult: fc.anything(),
    compactMetadata: fc.anything(),
    error: fc.anything(),
    data: fc.anything(),
    attachment: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('normalizeLine never throws and always yields valid events', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom(...MODES), (bytes, mode) => {
        normalizeChecked(bytes, mode);
      }),
      { numRuns: 300 },
    );
  });

  it('truncated real lines and real lines with invalid UTF-8 spliced in', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REAL_LINES),
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        fc.constantFrom(...MODES),
        (line, at, junk, mode) => {
          const cut = at % (line.length + 1);
          normalizeChecked(line.subarray(0, cut), mode);
          const spliced = new Uint8Array([
            ...line.subarray(0, cut),
            ...junk.map((b) => b | 0x80),
            ...line.subarray(cut),
          ]);
          normalizeChecked(spliced, mode);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('invalid UTF-8 inside a JSON string decodes lossily with a warning', () => {
    const bytes = new Uint8Array([
      ...encoder.encode('{"type":"user","message":{"content":"a'),
      0xff,
      0xfe,
      ...encoder.encode('b"}}'),
    ]);
    const r = normalizeLine(bytes, lineCtx('full'));
    expect('failure' in r).toBe(false);
    if (!('failure' in r)) {
      expect(r.warnings).toContain('invalid_utf8');
      expect(r.events[0]!.type === 'prompt' && r.events[0]!.payload.text).toBe('a\ufffd\ufffdb');
    }
  });

  it('a line type that names a member of Object.prototype is an unknown type, not the member', () => {
    // Found by the property below (seed 1148143078): `{"type":"toString"}` threw in every privacy mode.
    for (const type of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])
      for (const mode of MODES) normalizeChecked(bytesOf({ type }), mode);
  });

  it('JSON objects shaped like transcript lines with wrong types anywhere', () => {
    fc.assert(
      fc.property(lineLike, fc.constantFrom(...MODES), fc.constantFrom(undefined, 16, 1000), (o, mode, cap) => {
        normalizeChecked(bytesOf(o), mode, cap);
      }),
      { numRuns: 400 },
    );
  });

  it('any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        normalizeChecked(bytesOf(v), 'redacted');
      }),
      { numRuns: 200 },
    );
  });

  it('huge lines: one 2 MiB string, many large strings, a deep and a wide tool input', () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const many = Array.from({ length: 400 }, (_, i) => `${i}`.padEnd(8000, 'y'));
    const wide = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i]));
    let deep: unknown = 'leaf';
    for (let i = 0; i < 2000; i += 1) deep = { d: deep };
    const lines = [
      envelope({ type: 'user', message: { role: 'user', content: big } }),
      envelope({
        type: 'user',
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: big }] },
      }),
      envelope({
        type: 'assistant',
        message: {
          model: 'claude-opus-4-6',
          content: [{ type: 'tool_use', id: 't', name: 'Write', input: { content: big, many } }],
        },
      }),
      envelope({
        type: 'assistant',
        message: {
          model: 'claude-opus-4-6',
          content: many.map((m, i) => ({ type: 'tool_use', id: `t${i}`, name: 'Bash', input: { command: m } })),
        },
      }),
      envelope({
        type: 'assistant',
        message: { model: 'claude-opus-4-6', content: [{ type: 'tool_use', id: 'w', name: 'X', input: wide }] },
      }),
      envelope({
        type: 'assistant',
        message: { model: 'claude-opus-4-6', content: [{ type: 'tool_use', id: 'd', name: 'X', input: deep }] },
      }),
      envelope({
        type: 'zzz-new-type',
        ...Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`field${i}`.repeat(40), i])),
      }),
    ];
    for (const line of lines) for (const mode of MODES) normalizeChecked(bytesOf(line), mode);
    const prompt = normalizeChecked(bytesOf(lines[0]), 'full')[0]!;
    expect(prompt.type === 'prompt' && prompt.payload.text?.endsWith(`[truncated ${big.length} chars]`)).toBe(true);
    expect(prompt.type === 'prompt' && prompt.payload.chars).toBe(big.length);
    // Garbage of the same size is malformed, with a bounded preview.
    normalizeChecked(new Uint8Array(2 * 1024 * 1024).fill(0x7b), 'redacted');
  });
});

describe('TranscriptStream never throws', () => {
  it('random chunks of random bytes and real lines', () => {
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom(...REAL_LINES),
      fc.constant(new Uint8Array([10])),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const s = new TranscriptStream({
          host: 'h',
          user: 'u',
          path: '/a/b.jsonl',
          fileId: 'f',
          privacy: 'redacted',
          startOffset: 0,
          lastTs: null,
          fileTs: '2026-01-01T00:00:00.000Z',
        });
        let lines = 0;
        for (const p of pieces)
          for (const l of s.push(p)) {
            lines += 1;
            expect(l.events.length).toBeGreaterThan(0);
            check(l.events);
          }
        const newlines = pieces.reduce((n, p) => n + p.filter((b) => b === 10).length, 0);
        expect(lines).toBe(newlines);
      }),
      { numRuns: 100 },
    );
  });
});
