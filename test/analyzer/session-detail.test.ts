/**
 * The behavioral analysis end to end in one process: the real 2.1.39 session (main file and its Explore
 * subagent) normalized, through the analyzer and the sink on the in-process bus, into the embedded store,
 * and back out as `cctap report session --detail` shows it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchMsgId, encodeBatch, SCHEMA_VERSION, topology, type CctapEvent } from '@cctap/events';
import { createInProcessBus } from '@cctap/kit';
import { TranscriptStream } from '@cctap/transcript';
import { createAnalyzer, MemoryStateStore } from '@cctap/analyzer';
import { createSink } from '@cctap/sink';
import { migrate, openStore, type Store } from '@cctap/store';
import { renderSessionDetails } from '../../apps/cctap/src/render/session-details.js';
import { sessionDetails } from '@cctap/reports';
import { REAL_FIXTURES_DIR } from '../support/paths.js';

const t = topology('sd');
const dir = mkdtempSync(join(tmpdir(), 'cctap-session-detail-'));
let store: Store;

function normalize(file: string, path: string): CctapEvent[] {
  const stream = new TranscriptStream({
    host: 'box',
    user: 'dev',
    path,
    fileId: file.slice(0, 16),
    privacy: 'redacted',
    startOffset: 0,
    lastTs: null,
    fileTs: '2026-02-12T00:00:00.000Z',
  });
  return stream.push(readFileSync(join(REAL_FIXTURES_DIR, file))).flatMap((l) => l.events);
}

beforeAll(async () => {
  store = await openStore({ dataDir: join(dir, 'data') });
  await migrate(store, { eventsTtlDays: 0, usageTtlDays: 0, invalidTtlDays: 0 });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('session analysis through the sink', () => {
  it('stores the summary of the real 2.1.39 session and reports it with --detail', async () => {
    const bus = createInProcessBus({ topology: t, consumers: ['analyzer', 'sink-events', 'sink-derived'] });
    const analyzer = createAnalyzer({ bus, topology: t, store: new MemoryStateStore(), autoTick: false });
    const sink = createSink({ bus, store, consumers: ['sink-events', 'sink-derived'] });
    await sink.start();
    await analyzer.start();
    const files = [
      ['spotter-v2.1.39-main-compaction-progress.jsonl', '/h/.claude/projects/-p/4d5611e5.jsonl'],
      ['spotter-v2.1.39-subagent-explore.jsonl', '/h/.claude/projects/-p/4d5611e5/subagents/agent-a2898e3.jsonl'],
    ] as const;
    const all: CctapEvent[] = [];
    for (const [file, path] of files) {
      const events = normalize(file, path);
      all.push(...events);
      for (let i = 0; i < events.length; i += 500) {
        const part = events.slice(i, i + 500);
        const batch = {
          v: SCHEMA_VERSION,
          host: 'box',
          source: { path, fileId: file.slice(0, 16), from: i, to: i + part.length },
          events: part,
        };
        await bus.publish(t.subjects.events('box'), encodeBatch(batch), {
          msgId: batchMsgId('box', file, i, i + part.length),
        });
      }
    }
    // Everything is in; the session's last line is months old, so the settled tick ends it and summarizes it.
    await analyzer.tick({ settled: true });
    await analyzer.stop('test');
    await sink.stop('test');
    await bus.close();

    const main = all.find((e) => e.type === 'compaction')!.sessionId;
    const details = await sessionDetails(store, { tz: 'UTC' });
    const d = details.find((x) => x.sessionId === main)!;
    expect(d.analysis).not.toBeNull();
    const a = d.analysis!;
    const ofSession = all.filter((e) => e.sessionId === main);
    expect(a.final).toBe(true);
    expect(a.totals.compactions).toBe(ofSession.filter((e) => e.type === 'compaction').length);
    expect(a.totals.toolCalls).toBe(ofSession.filter((e) => e.type === 'tool.call').length);
    expect(a.totals.prompts).toBeGreaterThan(0);
    expect(a.bigrams.length).toBeGreaterThan(0);
    expect(a.transitions.some((x) => x.from === 'tool_call' && x.to === 'tool_result')).toBe(true);
    // The window is the lines' own times, not when the files were read.
    expect(d.lastActivity.startsWith('2026-02-1')).toBe(true);
    const text = renderSessionDetails([d]);
    expect(text).toContain('common tool pairs');
    expect(text).toContain(`${a.totals.toolCalls} calls`);
  });
});
