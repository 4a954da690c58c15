/**
 * zod (the source of truth) and ajv over the committed JSON Schema (what the validator runs) must give the
 * same verdict on every document: all events the normalizer makes from the real fixtures, hand-made invalid
 * documents, and batches.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createContractValidator, type ContractValidator } from './ajv/index.js';
import { batchSchema } from './batch.js';
import { eventSchema, type CctapEvent } from './event.js';
import { fileId } from './ids.js';
import { MAX_ID_CHARS, MAX_TEXT_CHARS } from './limits.js';
import { SCHEMA_VERSION } from './schema-version.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/real/', import.meta.url));
/** The 2.1.121-2.1.332 shapes: denials, refusals, every metadata type, the optional envelope facts. */
const SYNTHETIC_2026 = fileURLToPath(new URL('../../../test/fixtures/synthetic-2026/', import.meta.url));
const transcriptsUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? transcriptsUnder(join(dir, n)) : n.endsWith('.jsonl') ? [join(dir, n)] : [],
  );

/**
 * The normalizer depends on this package, so this package cannot reference it at build time; the test loads
 * it at run time (vitest resolves `@cctap/transcript` to its sources) and types the little it uses.
 */
interface TranscriptModule {
  TranscriptStream: new (opts: Record<string, unknown>) => { push(chunk: Uint8Array): { events: CctapEvent[] }[] };
}
const TRANSCRIPT = '@cctap/transcript';

let validator: ContractValidator;
const realEvents: CctapEvent[] = [];

beforeAll(async () => {
  validator = createContractValidator();
  const { TranscriptStream } = (await import(/* @vite-ignore */ TRANSCRIPT)) as TranscriptModule;
  for (const privacy of ['redacted', 'metadata']) {
    for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.jsonl'))) {
      const s = new TranscriptStream({
        host: 'test-host',
        user: 'dev',
        path: `${FIXTURES}${f}`,
        fileId: fileId(1, 2, f),
        privacy,
        startOffset: 0,
        lastTs: null,
        fileTs: '2026-01-01T00:00:00.000Z',
        labels: { team: 'core' },
      });
      realEvents.push(...s.push(readFileSync(`${FIXTURES}${f}`)).flatMap((l) => l.events));
    }
  }
  for (const privacy of ['full', 'metadata']) {
    for (const f of transcriptsUnder(SYNTHETIC_2026)) {
      const s = new TranscriptStream({
        host: 'test-host',
        user: 'dev',
        path: f,
        fileId: fileId(1, 2, f),
        privacy,
        startOffset: 0,
        lastTs: null,
        fileTs: '2026-01-01T00:00:00.000Z',
        spawnDepth: 1,
      });
      realEvents.push(...s.push(readFileSync(f)).flatMap((l) => l.events));
    }
  }
  // One malformed line, so that type is covered too.
  const s = new TranscriptStream({
    host: 'test-host',
    user: 'dev',
    path: '/x.jsonl',
    fileId: 'f',
    privacy: 'redacted',
    startOffset: 0,
    lastTs: null,
    fileTs: '2026-01-01T00:00:00.000Z',
  });
  realEvents.push(...s.push(new TextEncoder().encode('{oops\n')).flatMap((l) => l.events));
});

function verdicts(doc: unknown) {
  return { zod: eventSchema.safeParse(doc).success, ajv: validator.event(doc).ok };
}

const clone = <T>(v: T): T => structuredClone(v);
const find = (type: CctapEvent['type']) => {
  const e = realEvents.find((x) => x.type === type);
  if (!e) throw new Error(`no ${type} event in the fixtures`);
  return clone(e);
};

describe('zod and ajv agree', () => {
  it('on every event normalized from the real fixtures (all valid)', () => {
    expect(realEvents.length).toBeGreaterThan(3000);
    const types = new Set(realEvents.map((e) => e.type));
    for (const t of [
      'prompt',
      'assistant',
      'tool.call',
      'tool.result',
      'compaction',
      'interrupt',
      'denial',
      'refusal',
      'system',
      'meta',
      'malformed',
    ])
      expect(types).toContain(t);
    const disagreements = realEvents.map((e) => ({ e, v: verdicts(e) })).filter(({ v }) => !v.zod || !v.ajv);
    expect(
      disagreements.map(
        ({ e, v }) => `${e.type}@${e.source.offset} zod=${v.zod} ajv=${v.ajv} ${validator.event(e).errors.join('; ')}`,
      ),
    ).toEqual([]);
  });

  type Mutation = [name: string, make: () => unknown];
  const invalid: Mutation[] = [
    ['not an object', () => 'event'],
    ['null', () => null],
    ['array', () => [find('prompt')]],
    [
      'missing id',
      () => {
        const e: Record<string, unknown> = find('prompt');
        delete e.id;
        return e;
      },
    ],
    ['id not a uuid', () => ({ ...find('prompt'), id: 'abc' })],
    ['id uppercase hex', () => ({ ...find('prompt'), id: find('prompt').id.toUpperCase() })],
    ['unknown type string', () => ({ ...find('prompt'), type: 'prompt.v2' })],
    ['type of another payload', () => ({ ...find('prompt'), type: 'assistant' })],
    ['bad timestamp', () => ({ ...find('prompt'), ts: '2026-02-10 21:11:56' })],
    ['timestamp with offset', () => ({ ...find('prompt'), ts: '2026-02-10T21:11:56.846+01:00' })],
    ['impossible date', () => ({ ...find('prompt'), ts: '2026-02-30T00:00:00Z' })],
    ['bad tsSource', () => ({ ...find('prompt'), tsSource: 'guessed' })],
    ['bad host token (dot)', () => ({ ...find('prompt'), host: 'dev.example.com' })],
    ['bad host token (upper)', () => ({ ...find('prompt'), host: 'DEV' })],
    ['empty host', () => ({ ...find('prompt'), host: '' })],
    ['extra top-level field', () => ({ ...find('prompt'), extra: 1 })],
    [
      'extra payload field',
      () => {
        const e = find('prompt');
        return { ...e, payload: { ...e.payload, extra: true } };
      },
    ],
    ['null where not nullable (sessionId)', () => ({ ...find('prompt'), sessionId: null })],
    ['null where not nullable (sidechain)', () => ({ ...find('prompt'), sidechain: null })],
    ['wrong type (sidechain string)', () => ({ ...find('prompt'), sidechain: 'false' })],
    [
      'wrong type (offset string)',
      () => {
        const e = find('prompt');
        return { ...e, source: { ...e.source, offset: '12' } };
      },
    ],
    [
      'fractional offset',
      () => {
        const e = find('prompt');
        return { ...e, source: { ...e.source, offset: 1.5 } };
      },
    ],
    [
      'negative token count',
      () => {
        const e = find('assistant');
        if (e.type !== 'assistant') throw new Error();
        return { ...e, payload: { ...e.payload, usage: { ...e.payload.usage, output: -1 } } };
      },
    ],
    [
      'token count beyond 2^53',
      () => {
        const e = find('assistant');
        if (e.type !== 'assistant') throw new Error();
        return { ...e, payload: { ...e.payload, usage: { ...e.payload.usage, input: 2 ** 60 } } };
      },
    ],
    [
      'negative cost',
      () => {
        const e = find('assistant');
        if (e.type !== 'assistant') throw new Error();
        return { ...e, payload: { ...e.payload, cost: { ...e.payload.cost, usd: -0.5 } } };
      },
    ],
    [
      'missing usage field',
      () => {
        const e = find('assistant');
        if (e.type !== 'assistant') throw new Error();
        const { cacheRead: _c, ...u } = e.payload.usage;
        return { ...e, payload: { ...e.payload, usage: u } };
      },
    ],
    [
      'oversize text',
      () => {
        const e = find('prompt');
        return { ...e, payload: { ...e.payload, text: 'x'.repeat(MAX_TEXT_CHARS + 1) } };
      },
    ],
    [
      'oversize text in astral chars (code points)',
      () => {
        const e = find('prompt');
        return { ...e, payload: { ...e.payload, text: '😀'.repeat(MAX_TEXT_CHARS + 1) } };
      },
    ],
    ['oversize id', () => ({ ...find('prompt'), gitBranch: 'b'.repeat(MAX_ID_CHARS + 1) })],
    [
      'bad enum (prompt kind)',
      () => {
        const e = find('prompt');
        return { ...e, payload: { ...e.payload, kind: 'robot' } };
      },
    ],
    [
      'bad enum (error class)',
      () => {
        const e = find('tool.result');
        return { ...e, payload: { ...e.payload, isError: true, errorClass: 'oops' } };
      },
    ],
    ['bad label key', () => ({ ...find('prompt'), labels: { 'bad key': 'v' } })],
    ['label value not a string', () => ({ ...find('prompt'), labels: { team: 1 } })],
    [
      'too many unknown keys',
      () => ({
        ...find('prompt'),
        type: 'unknown',
        payload: { lineType: 'x', keys: Array.from({ length: 65 }, (_, i) => `k${i}`), chars: 1 },
      }),
    ],
    [
      'bad enum (denial kind)',
      () => {
        const e = find('denial');
        return { ...e, payload: { ...e.payload, kind: 'interrupted' } };
      },
    ],
    [
      'bad enum (tool.result denialKind)',
      () => {
        const e = find('tool.result');
        return { ...e, payload: { ...e.payload, denialKind: 'cancelled' } };
      },
    ],
    [
      'refusal retractedUuids not an array',
      () => {
        const e = find('refusal');
        return { ...e, payload: { ...e.payload, retractedUuids: 'u1' } };
      },
    ],
    ['extra attribution field', () => ({ ...find('prompt'), attribution: { agent: 'a', team: 'b' } })],
    ['negative spawnDepth', () => ({ ...find('prompt'), spawnDepth: -1 })],
    [
      'cacheMiss without reason',
      () => {
        const e = find('assistant');
        return { ...e, payload: { ...e.payload, cacheMiss: { missedTokens: 3 } } };
      },
    ],
    [
      'tool.call without toolUseId',
      () => {
        const e = find('tool.call');
        const { toolUseId: _t, ...p } = e.payload as Record<string, unknown>;
        return { ...e, payload: p };
      },
    ],
  ];

  it(`on ${invalid.length} hand-made invalid documents (all rejected)`, () => {
    expect(invalid.length).toBeGreaterThanOrEqual(20);
    const rows = invalid.map(([name, make]) => ({ name, ...verdicts(make()) }));
    expect(rows.filter((r) => r.zod !== r.ajv)).toEqual([]);
    expect(rows.filter((r) => r.zod || r.ajv)).toEqual([]);
  });

  it('on edge cases that are valid for both', () => {
    const ok: [string, () => unknown][] = [
      [
        'text exactly at the limit',
        () => {
          const e = find('prompt');
          return { ...e, payload: { ...e.payload, text: 'x'.repeat(MAX_TEXT_CHARS) } };
        },
      ],
      // Lengths are code points for both: over the limit in UTF-16 units, within it in code points.
      [
        'astral text within the limit in code points',
        () => {
          const e = find('prompt');
          return { ...e, payload: { ...e.payload, text: '😀'.repeat(MAX_TEXT_CHARS / 2 + 1) } };
        },
      ],
      [
        'tool input of any JSON shape',
        () => {
          const e = find('tool.call');
          return { ...e, payload: { ...e.payload, input: [1, 'a', { b: null }] } };
        },
      ],
      ['timestamp without fraction', () => ({ ...find('prompt'), ts: '2026-02-10T21:11:56Z' })],
      ['timestamp with microseconds', () => ({ ...find('prompt'), ts: '2026-02-10T21:11:56.123456Z' })],
      ['leap day', () => ({ ...find('prompt'), ts: '2024-02-29T00:00:00Z' })],
    ];
    for (const [name, make] of ok) expect({ name, ...verdicts(make()) }).toEqual({ name, zod: true, ajv: true });
  });

  it('on batches', () => {
    const events = realEvents.slice(0, 50);
    const batch = {
      v: SCHEMA_VERSION,
      host: 'test-host',
      source: { path: '/x.jsonl', fileId: 'f', from: 0, to: 100 },
      events,
    };
    const docs: [string, unknown, boolean][] = [
      ['valid', batch, true],
      ['empty events', { ...batch, events: [] }, true],
      ['wrong version', { ...batch, v: 999 }, false],
      ['bad host', { ...batch, host: 'a.b' }, false],
      ['missing source', { v: batch.v, host: batch.host, events }, false],
      ['negative from', { ...batch, source: { ...batch.source, from: -1 } }, false],
      ['events not an array', { ...batch, events: {} }, false],
      ['one invalid event inside', { ...batch, events: [...events.slice(1), { ...events[0], id: 'x' }] }, false],
      ['extra field', { ...batch, note: 'x' }, false],
    ];
    for (const [name, doc, expected] of docs) {
      expect({ name, zod: batchSchema.safeParse(doc).success, ajv: validator.batch(doc).ok }).toEqual({
        name,
        zod: expected,
        ajv: expected,
      });
      // The validator checks the envelope with its events emptied, then each event: same verdict as the full
      // schema on that envelope.
      if (typeof doc === 'object' && doc !== null && Array.isArray((doc as { events?: unknown }).events)) {
        const bare = { ...doc, events: [] };
        expect({ name, envelope: validator.envelope(bare).ok }).toEqual({ name, envelope: validator.batch(bare).ok });
      }
    }
    expect(validator.envelope({ ...batch, events: {} }).ok).toBe(false);
  });
});
