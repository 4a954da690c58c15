import { describe, expect, it } from 'vitest';
import { encodeBatch, MAX_EVENT_BYTES, topology, type Batch } from '@cctap/events';
import { eventId, invalidRecordSchema } from '@cctap/events/internal';
import { createContractValidator } from '@cctap/events/ajv';
import { validateBatch, type ValidateContext } from './validate-batch.js';
import { parseUsersPerHost } from './users-per-host.js';

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
    // The contract's one batch writer: byte for byte what the collector would have published.
    expect(Buffer.from(r.valid!.bytes).toString()).toBe(Buffer.from(encodeBatch(b as Batch)).toString());
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
      event(200, {
        payload: { kind: 'human', text: big.slice(0, 262_144), chars: 1, images: 0, permissionMode: null },
        cwd: big.slice(0, 4000),
        project: big.slice(0, 4000),
        labels: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, big.slice(0, 500)])),
      }),
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
    const r = validateBatch(
      enc({ v: 99, host: 'host-a', source: {}, events: [event(0)] }),
      t.subjects.raw('host-a'),
      ctx,
    );
    expect(r.invalid.map((i) => i.reason)).toEqual(['bad_batch']);
  });

  describe('users a host may report', () => {
    const list = parseUsersPerHost(JSON.stringify({ 'host-a': ['dev'], 'Build.01': ['*'] }), 'users.json');

    it("rejects a user not listed for the batch's host and keeps the listed one", () => {
      const r = validateBatch(enc(batch([event(0), event(100, { user: 'boss' })])), t.subjects.raw('host-a'), {
        ...ctx,
        usersPerHost: list,
      });
      expect(r.valid?.batch.events.map((e) => e.user)).toEqual(['dev']);
      expect(r.invalid.map((i) => [i.reason, i.detail])).toEqual([
        ['user_not_allowed', "user 'boss' is not allowed for host 'host-a' (allowed: dev)"],
      ]);
      expect(invalidRecordSchema.safeParse(r.invalid[0]).success).toBe(true);
    });

    it('rejects every event of a host missing from the list, and lets a `*` host report anyone', () => {
      const other = (ev: Record<string, unknown>) => ({ ...ev, host: 'host-z' });
      const r = validateBatch(enc(batch([other(event(0))], 'host-z')), t.subjects.raw('host-z'), {
        ...ctx,
        usersPerHost: list,
      });
      expect(r.invalid.map((i) => i.reason)).toEqual(['user_not_allowed']);
      const build = (ev: Record<string, unknown>) => ({ ...ev, host: 'build_01' });
      const ok = validateBatch(
        enc(batch([build(event(0, { user: 'anyone' }))], 'build_01')),
        t.subjects.raw('build_01'),
        { ...ctx, usersPerHost: list },
      );
      expect(ok.invalid).toEqual([]);
    });

    it('accepts any user when no list is configured', () => {
      expect(validateBatch(enc(batch([event(0, { user: 'boss' })])), t.subjects.raw('host-a'), ctx).invalid).toEqual(
        [],
      );
    });

    it('refuses a malformed list with a message naming the host', () => {
      expect(() => parseUsersPerHost('{"host-a": "dev", "host-b": [1]}', 'u.json')).toThrow(
        /host 'host-b' must map to a list/,
      );
      expect(() => parseUsersPerHost('[]', 'u.json')).toThrow(/must map each host/);
      expect(() => parseUsersPerHost('{', 'u.json')).toThrow(/not valid JSON/);
    });
  });

  describe('usage one response cannot have', () => {
    const usage = {
      input: 10,
      output: 20,
      cacheCreation: 0,
      cacheRead: 0,
      cacheCreation5m: 0,
      cacheCreation1h: 0,
      webSearchRequests: 0,
      webFetchRequests: 0,
    };
    const assistant = (offset: number, u: Partial<typeof usage>, advisor?: Partial<typeof usage>) =>
      event(offset, {
        type: 'assistant',
        payload: {
          model: 'claude-opus-4-5',
          messageId: `msg_${offset}`,
          requestId: `req_${offset}`,
          stopReason: 'end_turn',
          synthetic: false,
          usage: { ...usage, ...u },
          speed: null,
          serviceTier: null,
          text: '',
          textChars: 0,
          thinkingBlocks: 0,
          toolUses: 0,
          ...(advisor ? { advisor: [{ model: 'claude-opus-4-5', usage: { ...usage, ...advisor } }] } : {}),
        },
      });

    it('keeps a response at the bounds (a full 1M context window with maximal output) and rejects what is beyond', () => {
      const events = [
        assistant(0, { input: 1_000, cacheRead: 998_000, cacheCreation: 1_000, output: 128_000 }),
        assistant(100, { input: 2_000_000, output: 256_000 }),
        assistant(200, { input: 10, cacheRead: 1_999_991 }),
        assistant(300, { output: 256_001 }),
        assistant(400, { cacheCreation: 10, cacheCreation5m: 1_000_000, cacheCreation1h: 1_000_000 }),
        assistant(500, { webSearchRequests: 1_000_000 }),
        assistant(600, { webFetchRequests: 5_000 }),
        assistant(700, {}, { output: 9_000_000 }),
      ];
      const r = validateBatch(enc(batch(events)), t.subjects.raw('host-a'), ctx);
      expect(r.valid?.batch.events.map((e) => e.source.offset)).toEqual([0, 100]);
      expect(r.invalid.map((i) => i.reason)).toEqual(Array(6).fill('implausible_usage'));
      expect(r.invalid.map((i) => i.detail)).toEqual([
        'response reports 2000001 prompt tokens (input + cache writes + cache reads), limit 2000000',
        'response reports 256001 output tokens, limit 256000',
        'response reports 2000010 prompt tokens (input + cache writes + cache reads), limit 2000000',
        'response reports 1000000 web search requests, limit 1000',
        'response reports 5000 web fetch requests, limit 1000',
        'advisor iteration 0 reports 9000000 output tokens, limit 256000',
      ]);
    });

    it('leaves negative counts to the schema', () => {
      const r = validateBatch(enc(batch([assistant(0, { webSearchRequests: -1 })])), t.subjects.raw('host-a'), ctx);
      expect(r.invalid.map((i) => i.reason)).toEqual(['schema']);
    });
  });
});
