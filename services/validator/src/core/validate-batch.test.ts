import { describe, expect, it } from 'vitest';
import { eventId, invalidRecordSchema, MAX_EVENT_BYTES, topology } from '@cctap/events';
import { createContractValidator } from '@cctap/events/ajv';
import { validateBatch, type ValidateContext } from './validate-batch.js';

const t = topology();
const contract = createContractValidator();
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const ctx: ValidateContext = { topology: t, contract, now: NOW, maxFutureMs: 86_400_000 };
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

function event(offset: number, over: Record<string, unknown> = {}) {
  return {
    id: eventId('host-a', 'f1', offset, 0),
    type: 'prompt',
    ts: '2026-03-01T11:00:00.000Z',
    tsSource: 'line',
    host: 'host-a',
    user: 'dev',
    sessionId: 's1',
    agentId: null,
    sidechain: false,
    cwd: '/w',
    project: '/w',
    gitBranch: 'main',
    ccVersion: '2.1.3',
    lineUuid: null,
    parentUuid: null,
    source: { path: '/p.jsonl', offset },
    payload: { kind: 'human', text: 'hi', chars: 2, images: 0, permissionMode: null },
    ...over,
  };
}

function batch(events: unknown[], host = 'host-a') {
  return { v: 1, host, source: { path: '/p.jsonl', fileId: 'f1', from: 0, to: 1000 }, events };
}

describe('validateBatch', () => {
  it('passes valid events through, re-encoded as an equivalent batch', () => {
    const b = batch([event(0), event(100)]);
    const r = validateBatch(enc(b), t.subjects.raw('host-a'), ctx);
    expect(r.invalid).toEqual([]);
    expect(r.valid?.batch.events).toHaveLength(2);
    expect(JSON.parse(new TextDecoder().decode(r.valid!.bytes))).toEqual(b);
  });

  it('rejects every event of a batch whose host differs from the subject host', () => {
    const forged = batch([event(0, { host: 'host-b' }), event(100, { host: 'host-b' })], 'host-b');
    const r = validateBatch(enc(forged), t.subjects.raw('host-a'), ctx);
    expect(r.valid).toBeNull();
    expect(r.invalid.map((i) => i.reason)).toEqual(['host_mismatch', 'host_mismatch']);
    expect(r.invalid[0]!.host).toBe('host-a');
  });

  it('classifies each kind of bad event and keeps the good ones', () => {
    const big = 'x'.repeat(MAX_EVENT_BYTES);
    const events = [
      event(0),
      event(100, { type: 'prompt', payload: { kind: 'nope' } }),
      event(200, { payload: { kind: 'human', text: big.slice(0, 262_144), chars: 1, images: 0, permissionMode: null }, cwd: big.slice(0, 4000), project: big.slice(0, 4000), labels: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, big.slice(0, 500)])) }),
      event(300, { host: 'host-z' }),
      event(400, { ts: '2026-03-03T12:00:00.000Z' }),
      event(500, { ts: '2026-03-02T11:00:00.000Z' }),
    ];
    const r = validateBatch(enc(batch(events)), t.subjects.raw('host-a'), ctx);
    expect(r.invalid.map((i) => i.reason)).toEqual(['schema', 'too_large', 'wrong_host', 'future_ts']);
    expect(r.valid?.batch.events.map((e) => e.source.offset)).toEqual([0, 500]);
    for (const rec of r.invalid) expect(invalidRecordSchema.safeParse(rec).success).toBe(true);
    expect(r.invalid[1]!.raw.length).toBeLessThan(20_000);
  });

  it('turns bytes that are not JSON into one record with a preview, never an exception', () => {
    const r = validateBatch(enc('{"v":1, nope'), t.subjects.raw('host-a'), ctx);
    expect(r.valid).toBeNull();
    expect(r.invalid).toHaveLength(1);
    expect(r.invalid[0]).toMatchObject({ reason: 'not_json', raw: '{"v":1, nope' });
    const r2 = validateBatch(enc([1, 2]), t.subjects.raw('host-a'), ctx);
    expect(r2.invalid[0]!.reason).toBe('not_json');
  });

  it('rejects a batch whose envelope breaks the contract', () => {
    const r = validateBatch(enc({ v: 99, host: 'host-a', source: {}, events: [event(0)] }), t.subjects.raw('host-a'), ctx);
    expect(r.invalid.map((i) => i.reason)).toEqual(['bad_batch']);
  });
});
