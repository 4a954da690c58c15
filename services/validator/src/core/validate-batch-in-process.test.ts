/**
 * The validator in `cctap up` receives the collector's very bytes and, for those, reads the event strings the
 * batch writer remembered instead of decoding the bytes (codecs/shared-decode.ts). That shortcut must change
 * nothing but the cost: an all-valid batch goes on as the same bytes, a batch with a rejected event as what
 * the writer makes of the rest, and a copy of the bytes (what NATS delivers) gives byte for byte the same.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeTrustedBatch,
  topology,
  writeBatch,
  type BatchSource,
  type CctapEvent,
  type EventType,
} from '@cctap/events';
import { createContractValidator } from '@cctap/events/ajv';
import { sampleEvent } from '@cctap/events/testing';
import { validateBatch, type ValidateContext } from './validate-batch.js';

const t = topology();
const ctx: ValidateContext = {
  topology: t,
  contract: createContractValidator(),
  now: Date.parse('2026-03-01T12:00:00.000Z'),
  maxFutureMs: 86_400_000,
};
const subject = t.subjects.raw('host-a');
const source: BatchSource = { path: '/home/alice/.claude/projects/p/s.jsonl', fileId: 'f1', from: 0, to: 9000 };

const TYPES: EventType[] = ['prompt', 'assistant', 'tool.call', 'tool.result', 'api.error', 'system', 'meta'];
/** Events of several types, and text the writer must carry through untouched. */
const events: CctapEvent[] = [
  ...TYPES.map((type, i) => sampleEvent(type, {}, { offset: i * 100 })),
  sampleEvent('prompt', { text: 'é "quoted" \\ \n 日本 😀 \u2028' }, { offset: 9000 }),
];
const json = (evs: readonly unknown[]) => evs.map((e) => JSON.stringify(e));
/** What a process that did not write the bytes has: the same octets in another object. */
const copy = (b: Uint8Array) => new Uint8Array(b);
const octets = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

describe('validateBatch on the bytes this process wrote', () => {
  it('passes an all-valid batch on as the very input bytes, with the validated batch as their shared decode', () => {
    const input = writeBatch('host-a', source, json(events));
    const r = validateBatch(input, subject, ctx);
    expect(r.invalid).toEqual([]);
    expect(r.valid!.bytes).toBe(input);
    expect(decodeTrustedBatch(r.valid!.bytes)).toBe(r.valid!.batch);
    expect(r.valid!.batch).toEqual({ v: 1, host: 'host-a', source, events });
    expect(Object.isFrozen(r.valid!.batch.events[0]!.payload)).toBe(true);
  });

  it('writes new bytes of the valid events when one is rejected, equal to the writer given only those', () => {
    const bad = sampleEvent('prompt', {}, { offset: 50, host: 'host-z' });
    const withBad = [events[0]!, bad, ...events.slice(1)];
    const input = writeBatch('host-a', source, json(withBad));
    const r = validateBatch(input, subject, ctx);
    expect(r.invalid.map((i) => i.reason)).toEqual(['wrong_host']);
    expect(r.invalid[0]!.raw).toBe(JSON.stringify(bad));
    expect(r.valid!.bytes).not.toBe(input);
    expect(octets(r.valid!.bytes)).toBe(octets(writeBatch('host-a', source, json(events))));
    expect(decodeTrustedBatch(r.valid!.bytes)).toBe(r.valid!.batch);
    expect(r.valid!.batch.events).toEqual(events);
  });
});

describe('validateBatch on a copy of the bytes (from NATS)', () => {
  it.each([
    ['all valid', events],
    ['one rejected', [...events, sampleEvent('prompt', {}, { offset: 9100, host: 'host-z' })]],
  ])('%s: gives byte for byte the output, batch and rejections of the in-process path', (_, evs) => {
    const written = writeBatch('host-a', source, json(evs));
    const inProcess = validateBatch(written, subject, ctx);
    const fromNats = validateBatch(copy(written), subject, ctx);
    expect(octets(fromNats.valid!.bytes)).toBe(octets(inProcess.valid!.bytes));
    expect(fromNats.valid!.bytes).not.toBe(written);
    expect(fromNats.valid!.batch).toStrictEqual(inProcess.valid!.batch);
    expect(fromNats.invalid).toStrictEqual(inProcess.invalid);
    // Its own output is shared with its own consumers, apart from the in-process one.
    expect(decodeTrustedBatch(fromNats.valid!.bytes)).toBe(fromNats.valid!.batch);
    expect(fromNats.valid!.batch).not.toBe(inProcess.valid!.batch);
  });

  it('gives the all-valid input back byte for byte, as the in-process path passes it on', () => {
    const written = writeBatch('host-a', source, json(events));
    expect(octets(validateBatch(copy(written), subject, ctx).valid!.bytes)).toBe(octets(written));
  });
});
