/**
 * The analyzer under many tiny sessions: `--short-sessions N` one-line sessions (one human prompt each, a
 * backfill of 50 hosts: event times one second apart, a day and more in the past), through the analyzer
 * service as single-process mode runs it: the in-process bus (the derived stream drained by a consumer that
 * only acks), the default configuration, the state kept in a MemoryStateStore, the clock tick on its timer.
 * Batches of 100 events are published 50 at a time and the case ends when the analyzer has consumed them all
 * (a publish resolves once its consumer is done).
 *
 * Run in its own process (bench/analyzer.ts spawns `--case short`) so its peak RSS is its own, and printed
 * as one JSON line: seconds, peak RSS, heap after GC, and the sessions held at most and at the end.
 */
import { SCHEMA_VERSION, stableUuid, topology, type CctapEvent } from '@cctap/events';
import { sampleEvent } from '@cctap/events/testing';
import { createInProcessBus } from '@cctap/kit';
import { createAnalyzer } from '@cctap/analyzer';

export interface ShortSessionsResult {
  sessions: number;
  seconds: number;
  peakRssMiB: number;
  heapAfterGcMiB: number;
  liveSessions: number;
  maxLiveSessions: number;
}

export async function runShortSessions(n: number): Promise<ShortSessionsResult> {
  const t = topology();
  // A consumer that only acks stands in for the sink on the derived stream, so the stream is trimmed as in
  // single-process mode instead of holding every conclusion.
  const bus = createInProcessBus({ topology: t, consumers: ['analyzer', 'sink-derived'] });
  const drain = bus.consumeBatch('sink-derived', async () => undefined, { batchSize: 256 });
  const analyzer = createAnalyzer({ bus, topology: t });
  await analyzer.start();
  const start = Date.now() - n * 1000 - 86_400_000;
  // One validated template, copied per session (building each with the schema would dominate the timing).
  const template = sampleEvent('prompt', {}, { path: '/home/u/.claude/projects/p/short.jsonl', offset: 0 });
  const event = (i: number): CctapEvent => ({
    ...template,
    id: stableUuid('short', i),
    host: `host-${i % 50}`,
    sessionId: `short-${i}`,
    ts: new Date(start + i * 1000).toISOString(),
    source: { path: `/home/u/.claude/projects/p/short-${i}.jsonl`, offset: 0 },
  });
  const enc = new TextEncoder();
  let maxLive = 0;
  const pending: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let b = 0; b * 100 < n; b += 1) {
    const events: CctapEvent[] = [];
    for (let i = b * 100; i < Math.min(n, (b + 1) * 100); i += 1) events.push(event(i));
    const batch = { v: SCHEMA_VERSION, host: 'bench', source: { path: '/p', fileId: 'f', from: 0, to: 1 }, events };
    pending.push(bus.publish(t.subjects.events('bench'), enc.encode(JSON.stringify(batch)), { msgId: `short-${b}` }));
    if (pending.length >= 50) {
      await Promise.all(pending.splice(0));
      maxLive = Math.max(maxLive, analyzer.engine.stats().sessions);
    }
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  maxLive = Math.max(maxLive, analyzer.engine.stats().sessions);
  const liveSessions = analyzer.engine.stats().sessions;
  await analyzer.stop('done');
  await drain.stop();
  await bus.close();
  (globalThis as { gc?: () => void }).gc?.();
  return {
    sessions: n,
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    heapAfterGcMiB: process.memoryUsage().heapUsed / 1024 / 1024,
    liveSessions,
    maxLiveSessions: maxLive,
  };
}
