/**
 * Every real transcript in test/fixtures/real through TranscriptStream. Expectations are computed in this
 * file by a direct JSON scan of the same bytes (independent of the normalizer), or taken from
 * transcript-format.md where the docs measured them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileId, type CctapEvent, type EventOf } from '@cctap/events';
import { eventSchema } from '@cctap/events/internal';
import { describe, expect, it } from 'vitest';
import { TranscriptStream, UsageLedger } from '../index.js';

const DIR = fileURLToPath(new URL('../../../../test/fixtures/real/', import.meta.url));
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Normalized {
  events: CctapEvent[];
  lines: number;
  malformed: number;
}

function normalizeFile(name: string, privacy: 'redacted' | 'metadata' | 'full' = 'redacted'): Normalized {
  const stream = new TranscriptStream({
    host: 'test-host',
    user: 'dev',
    path: `${DIR}${name}`,
    fileId: fileId(1, 2, name),
    privacy,
    startOffset: 0,
    lastTs: null,
    fileTs: '2026-01-01T00:00:00.000Z',
  });
  const out = stream.push(readFileSync(`${DIR}${name}`));
  expect(stream.pending).toBe(0);
  return { events: out.flatMap((l) => l.events), lines: out.length, malformed: out.filter((l) => l.malformed).length };
}

function rawLines(name: string): Raw[] {
  return readFileSync(`${DIR}${name}`, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Raw);
}

const blocks = (o: Raw): Raw[] => (Array.isArray(o.message?.content) ? o.message.content : []);

/** The independent scan: what a line-by-line reading of the JSON says the file contains. */
function scan(lines: Raw[]) {
  const toolUseIds: string[] = [];
  const resultIds = new Set<string>();
  let toolErrors = 0;
  let toolResults = 0;
  const usage = new Map<string, { input: number; output: number; cacheCreation: number; cacheRead: number }>();
  let naiveOutput = 0;
  let naiveCacheRead = 0;
  const firstOutput = new Map<string, number>();
  for (const o of lines) {
    if (o.type === 'assistant') {
      for (const b of blocks(o)) if (b.type === 'tool_use') toolUseIds.push(b.id);
      const u = o.message?.usage;
      if (!u || o.message.model === '<synthetic>') continue;
      const row = {
        input: u.input_tokens ?? 0,
        output: u.output_tokens ?? 0,
        cacheCreation: u.cache_creation_input_tokens ?? 0,
        cacheRead: u.cache_read_input_tokens ?? 0,
      };
      naiveOutput += row.output;
      naiveCacheRead += row.cacheRead;
      const key = `${o.message.id}|${o.requestId}`;
      if (!firstOutput.has(key)) firstOutput.set(key, row.output);
      const prev = usage.get(key);
      const total = (r: typeof row) => r.input + r.output + r.cacheCreation + r.cacheRead;
      if (!prev || total(row) > total(prev)) usage.set(key, row);
    }
    if (o.type === 'user' && !o.isMeta && !o.isCompactSummary) {
      for (const b of blocks(o)) {
        if (b.type !== 'tool_result') continue;
        toolResults += 1;
        resultIds.add(b.tool_use_id);
        if (b.is_error === true) toolErrors += 1;
      }
    }
  }
  const sum = (k: 'input' | 'output' | 'cacheCreation' | 'cacheRead') =>
    [...usage.values()].reduce((a, r) => a + r[k], 0);
  return {
    assistantLines: lines.filter((o) => o.type === 'assistant' && o.isApiErrorMessage !== true).length,
    toolCalls: toolUseIds.length,
    toolResults,
    toolErrors,
    orphanCalls: toolUseIds.filter((id) => !resultIds.has(id)).length,
    compactions: lines.filter((o) => o.type === 'system' && o.subtype === 'compact_boundary').length,
    progress: lines.filter((o) => o.type === 'progress').length,
    responses: usage.size,
    totals: {
      input: sum('input'),
      output: sum('output'),
      cacheCreation: sum('cacheCreation'),
      cacheRead: sum('cacheRead'),
    },
    naiveOutput,
    naiveCacheRead,
    firstOutput: [...firstOutput.values()].reduce((a, b) => a + b, 0),
  };
}

const ofType = <T extends CctapEvent['type']>(events: CctapEvent[], type: T) =>
  events.filter((e): e is EventOf<T> => e.type === type);

describe.each(FILES)('%s', (name) => {
  const raw = rawLines(name);
  const expected = scan(raw);
  const got = normalizeFile(name);

  it('turns every line into at least one schema-valid event, none malformed', () => {
    expect(got.lines).toBe(raw.length);
    expect(got.malformed).toBe(0);
    const linesWithEvents = new Set(got.events.map((e) => e.source.offset));
    expect(linesWithEvents.size).toBe(raw.length);
    for (const e of got.events) {
      const r = eventSchema.safeParse(e);
      if (!r.success) throw new Error(`${e.type} at ${e.source.offset}: ${r.error.message}`);
    }
    expect(new Set(got.events.map((e) => e.id)).size).toBe(got.events.length);
  });

  it('counts assistant lines, tool calls, tool results, tool errors and orphan calls like a direct scan', () => {
    expect(ofType(got.events, 'assistant').length).toBe(expected.assistantLines);
    const calls = ofType(got.events, 'tool.call');
    const results = ofType(got.events, 'tool.result');
    expect(calls.length).toBe(expected.toolCalls);
    expect(results.length).toBe(expected.toolResults);
    expect(results.filter((r) => r.payload.isError).length).toBe(expected.toolErrors);
    const resultIds = new Set(results.map((r) => r.payload.toolUseId));
    expect(calls.filter((c) => !resultIds.has(c.payload.toolUseId)).length).toBe(expected.orphanCalls);
    expect(ofType(got.events, 'compaction').length).toBe(expected.compactions);
    expect(ofType(got.events, 'meta').filter((m) => m.payload.lineType === 'progress').length).toBe(expected.progress);
    expect(ofType(got.events, 'unknown').length).toBe(0);
  });

  it('gives usage totals equal to the max-per-(message, request) rule', () => {
    const ledger = new UsageLedger();
    for (const e of got.events) ledger.add(e);
    const t = ledger.totals();
    expect(t.responses).toBe(expected.responses);
    expect({ input: t.input, output: t.output, cacheCreation: t.cacheCreation, cacheRead: t.cacheRead }).toEqual(
      expected.totals,
    );
  });
});

describe('numbers measured in transcript-format.md section 7', () => {
  const cases = [
    {
      file: 'spotter-v2.1.39-main-compaction-progress.jsonl',
      naive: 29_160,
      first: 7_933,
      max: 28_755,
      naiveCacheRead: 20_500_571,
      cacheRead: 11_618_567,
    },
    {
      file: 'ccv-v1.0.98-inline-sidechains-summary.jsonl',
      naive: 77_612,
      first: 49_780,
      max: 51_933,
      naiveCacheRead: 5_706_262,
      cacheRead: 3_647_854,
    },
  ];
  it.each(cases)('$file: output $max and cache_read $cacheRead with the max rule', (c) => {
    const s = scan(rawLines(c.file));
    // The scan reproduces the documented naive and first-line-wins sums, so the fixture is the one measured…
    expect([s.naiveOutput, s.firstOutput, s.naiveCacheRead]).toEqual([c.naive, c.first, c.naiveCacheRead]);
    // …and the ledger lands on the documented max-rule totals.
    const ledger = new UsageLedger();
    for (const e of normalizeFile(c.file).events) ledger.add(e);
    expect(ledger.totals().output).toBe(c.max);
    expect(ledger.totals().cacheRead).toBe(c.cacheRead);
  });
});

describe('format traps on real lines', () => {
  it('compaction: auto 170251 in the 2.1.39 main session, manual 21558 in fasthooks', () => {
    const auto = ofType(normalizeFile('spotter-v2.1.39-main-compaction-progress.jsonl').events, 'compaction');
    expect(auto.map((e) => [e.payload.trigger, e.payload.preTokens, e.payload.micro])).toEqual([
      ['auto', 170_251, false],
    ]);
    expect(auto[0]!.payload.logicalParentUuid).not.toBeNull();
    const manual = ofType(normalizeFile('fasthooks-v2.0.76-compaction-tool-errors.jsonl').events, 'compaction');
    expect(manual.map((e) => [e.payload.trigger, e.payload.preTokens])).toEqual([['manual', 21_558]]);
  });

  it('never counts the agent_progress copies of subagent messages', () => {
    const mainRaw = rawLines('spotter-v2.1.39-main-compaction-progress.jsonl');
    const copied = new Set(
      mainRaw
        .filter((o) => o.type === 'progress' && o.data?.type === 'agent_progress' && o.data.message?.message?.usage)
        .map((o) => o.data.message.message.id as string),
    );
    expect(copied.size).toBeGreaterThan(0);
    const main = new UsageLedger();
    for (const e of normalizeFile('spotter-v2.1.39-main-compaction-progress.jsonl').events) main.add(e);
    expect(main.responses().filter((r) => copied.has(r.messageId ?? '')).length).toBe(0);
    // The originals live in the subagent file and are counted from there, once, as sidechain usage.
    const sub = new UsageLedger();
    for (const e of normalizeFile('spotter-v2.1.39-subagent-explore.jsonl').events) sub.add(e);
    const fromSub = sub.responses().filter((r) => copied.has(r.messageId ?? ''));
    expect(fromSub.length).toBeGreaterThan(0);
    expect(fromSub.every((r) => r.sidechain)).toBe(true);
    // Global dedup: feeding both files to one ledger adds exactly the subagent's responses.
    const both = new UsageLedger();
    for (const f of ['spotter-v2.1.39-main-compaction-progress.jsonl', 'spotter-v2.1.39-subagent-explore.jsonl']) {
      for (const e of normalizeFile(f).events) both.add(e);
    }
    expect(both.totals().responses).toBe(main.totals().responses + sub.totals().responses);
  });

  it('classifies tool errors: user_rejected, permission_denied, input_validation, tool_error', () => {
    const classes = (f: string) =>
      ofType(normalizeFile(f).events, 'tool.result')
        .filter((r) => r.payload.isError)
        .map((r) => r.payload.errorClass);
    expect(classes('spotter-v2.1.38-rejected-tool-use.jsonl')).toContain('user_rejected');
    expect(classes('ccv-v1.0.98-small-tool-error.jsonl')).toContain('permission_denied');
    expect(classes('ccv-v1.0.108-inline-sidechain.jsonl')).toContain('input_validation');
    expect(classes('fasthooks-v2.0.76-compaction-tool-errors.jsonl')).toEqual(['tool_error', 'tool_error']);
  });

  it('finds the interrupt markers', () => {
    const interrupts = (f: string) => ofType(normalizeFile(f).events, 'interrupt').map((e) => e.payload.forToolUse);
    expect(interrupts('spotter-v2.1.38-rejected-tool-use.jsonl')).toEqual([true]);
    expect(interrupts('spotter-v2.1.38-tool-heavy-interrupt.jsonl').length).toBe(2);
  });

  it('identifies subagents in all three layouts of their era', () => {
    const inline = normalizeFile('ccv-v1.0.98-inline-sidechains-summary.jsonl').events;
    const side = inline.filter((e) => e.sidechain);
    expect(side.length).toBeGreaterThan(0);
    expect(side.every((e) => e.agentId === null)).toBe(true);
    expect(ofType(inline, 'prompt').filter((p) => p.payload.kind === 'subagent_root').length).toBe(
      rawLines('ccv-v1.0.98-inline-sidechains-summary.jsonl').filter(
        (o) => o.type === 'user' && o.isSidechain && o.parentUuid === null,
      ).length,
    );

    const warmup = normalizeFile('fasthooks-v2.0.76-warmup-sidechain.jsonl').events;
    expect(warmup.every((e) => e.agentId === 'af1ff21' && e.sidechain)).toBe(true);
    expect(ofType(warmup, 'prompt').map((p) => [p.payload.kind, p.payload.text])).toEqual([
      ['subagent_root', 'Warmup'],
    ]);

    const explore = normalizeFile('spotter-v2.1.39-subagent-explore.jsonl').events;
    expect(
      explore.every((e) => e.agentId === 'a2898e3' && e.sessionId === '4d5611e5-241a-462a-8d15-5122611a9569'),
    ).toBe(true);
    // The parent's Task result names the subagent that ran.
    const main = normalizeFile('spotter-v2.1.39-main-compaction-progress.jsonl').events;
    expect(
      ofType(main, 'tool.result')
        .map((r) => r.payload.agentId)
        .filter((a) => a !== null),
    ).toContain('a2898e3');
    expect(
      ofType(main, 'tool.call')
        .filter((c) => c.payload.name === 'Task')
        .every((c) => c.payload.subagentType !== null),
    ).toBe(true);
  });

  it('carries the timestamp to lines without one and takes the project from cwd', () => {
    const file = 'spotter-v2.1.39-main-compaction-progress.jsonl';
    const events = normalizeFile(file).events;
    // Expected from the raw lines: the ts of the last earlier line with a timestamp, else the file time.
    let last: string | null = null;
    const expectedTs: [string, string][] = [];
    for (const o of rawLines(file)) {
      if (typeof o.timestamp === 'string') last = o.timestamp;
      else expectedTs.push(last ? [last, 'carried'] : ['2026-01-01T00:00:00.000Z', 'file']);
    }
    const untimed = events.filter((e) => e.tsSource !== 'line');
    expect(untimed.length).toBe(14);
    expect(untimed.map((e) => [e.ts, e.tsSource])).toEqual(expectedTs);
    expect(untimed.every((e) => e.type === 'meta' && e.payload.lineType === 'file-history-snapshot')).toBe(true);
    const withCwd = events.filter((e) => e.cwd !== '');
    expect(withCwd.every((e) => e.project === e.cwd && !e.project.includes('-home-'))).toBe(true);
  });

  it('keeps no free text in metadata mode but keeps names and counts', () => {
    const events = normalizeFile('spotter-v2.1.39-main-compaction-progress.jsonl', 'metadata').events;
    for (const e of events) {
      const p = e.payload as Record<string, unknown>;
      for (const k of ['text', 'output', 'command', 'input', 'message', 'preview']) if (k in p) expect(p[k]).toBeNull();
    }
    expect(ofType(events, 'tool.call').every((c) => c.payload.name.length > 0)).toBe(true);
  });
});
