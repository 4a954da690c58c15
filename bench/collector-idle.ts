/**
 * Idle: 10k transcripts in 100 folders with mtimes 30 days old (what a real ~/.claude/projects looks like),
 * already backfilled once. Each run starts the real command (live mode, heartbeats off) over the existing
 * checkpoints in its own process and measures: time to ready (spawn -> "backfill done", including node
 * start), then over 60 s of idleness (BENCH_IDLE_SECONDS; 60 s spans two 30 s full sweeps, so their cost
 * is in the CPU figure, and V8's memory reducer has run after start-up) its CPU (from /proc, % of one
 * core), its RSS at the end and the highest RSS sampled each second of the window, and where the memory
 * is (collector-memory-probe.ts: V8 heap, external, anonymous vs file-backed); finally how many messages
 * all restarts re-sent (should be 0). Pass `-- --hot-window-ms 315360000000` to measure the cost of
 * stat-ing every file every second.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topology } from '@cctap/events';
import { connectNats, createJetStreamBus } from '@cctap/kit';
import { median, procStat, spawnCollector, spread, startNats } from './collector-support.js';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
/** Between ready and the start of the window. */
const SETTLE_SECONDS = Number(process.env.BENCH_IDLE_SETTLE_SECONDS ?? 2);

function buildTree(root: string): void {
  const line = `${JSON.stringify({ type: 'user', uuid: 'u', sessionId: 's', timestamp: '2026-01-01T00:00:00Z', cwd: '/p', message: { role: 'user', content: 'hello' } })}\n`;
  const old = new Date(Date.now() - 30 * 86_400_000);
  for (let d = 0; d < 100; d++) {
    const dir = join(root, 'projects', `-p-${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) {
      const p = join(dir, `s-${f}.jsonl`);
      writeFileSync(p, line.repeat(3));
      utimesSync(p, old, old);
    }
  }
}

/** Where the RSS of one run went, in MB (collector-memory-probe.ts, read at the end of the idle window). */
export interface MemoryBreakdown {
  rss: number;
  /** Anonymous memory (heap, malloc, stacks) vs file-backed pages (the node binary and shared libraries). */
  rssAnon: number;
  rssFile: number;
  /** Of rssAnon: malloc's brk heap, and all other anonymous mappings (V8's pages, thread arenas, stacks). */
  brkHeap: number;
  anonMaps: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Committed MB per V8 heap space. */
  spaces: Record<string, number>;
}

export interface IdleResult {
  readyMs: number[];
  rssMb: number[];
  /** Highest RSS sampled once a second during each idle window. */
  rssPeakMb: number[];
  cpuPercent: number[];
  resent: number;
  idleSeconds: number;
  memory: MemoryBreakdown[];
}

const PROBE = fileURLToPath(new URL('./collector-memory-probe.js', import.meta.url));
const MB = (x: unknown) => Number(x) / 1e6;

export async function idle(runs: number, extra: string[], nodeArgs: string[] = []): Promise<IdleResult> {
  const root = mkdtempSync(join(tmpdir(), 'bench-idle-'));
  const state = mkdtempSync(join(tmpdir(), 'bench-state-'));
  buildTree(root);
  const nats = await startNats('idle');
  const common = [
    '--nats',
    nats.url,
    '--prefix',
    'idle',
    '--root',
    root,
    '--state',
    state,
    '--host',
    'idle',
    '--heartbeat-seconds',
    '0',
    '--metrics-port',
    '0',
    '--log-level',
    'info',
    ...extra,
  ];
  const first = spawnCollector([...common, '--once']);
  if ((await first.exited) !== 0) throw new Error('initial backfill failed');
  const nc = await connectNats({ servers: nats.url, name: 'bench-idle' });
  const bus = createJetStreamBus(nc, { topology: topology('idle') });
  const stored = async () => {
    let n = 0;
    for (let from = 1; ;) {
      const page = await bus.read('raw', { fromSeq: from, max: 1000 });
      if (page.length === 0) return n;
      n += page.length;
      from = page[page.length - 1]!.seq + 1;
    }
  };
  const before = await stored();
  const readies: number[] = [],
    rss: number[] = [],
    rssPeak: number[] = [],
    cpu: number[] = [],
    memory: MemoryBreakdown[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const c = spawnCollector(common, ['--import', PROBE, ...nodeArgs]);
    await c.waitLog('backfill done');
    readies.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, SETTLE_SECONDS * 1000)); // let start-up garbage settle
    const s0 = procStat(c.child.pid!);
    const w0 = performance.now();
    let peak = s0.rssBytes;
    while (performance.now() - w0 < IDLE_SECONDS * 1000) {
      await new Promise((res) => setTimeout(res, Math.min(1000, IDLE_SECONDS * 1000 - (performance.now() - w0))));
      peak = Math.max(peak, procStat(c.child.pid!).rssBytes);
    }
    const s1 = procStat(c.child.pid!);
    rssPeak.push(Math.max(peak, s1.rssBytes) / 1e6);
    cpu.push(((s1.cpuSeconds - s0.cpuSeconds) / ((performance.now() - w0) / 1000)) * 100);
    rss.push(s1.rssBytes / 1e6);
    const probe = c.waitLog('memory');
    c.child.kill('SIGUSR2');
    const mu = await probe;
    memory.push({
      rss: MB(mu.rss),
      rssAnon: MB(mu.rssAnon),
      rssFile: MB(mu.rssFile),
      brkHeap: MB(mu.brkHeap),
      anonMaps: MB(mu.anonMaps),
      heapTotal: MB(mu.heapTotal),
      heapUsed: MB(mu.heapUsed),
      external: MB(mu.external),
      arrayBuffers: MB(mu.arrayBuffers),
      spaces: Object.fromEntries(
        Object.entries(mu.spaces as Record<string, { size: number }>).map(([k, v]) => [k, MB(v.size)]),
      ),
    });
    c.child.kill('SIGTERM');
    const code = await c.exited;
    const mb = memory[r]!;
    console.log(
      `idle run ${r + 1}: ready ${readies[r]!.toFixed(0)} ms, RSS ${rss[r]!.toFixed(0)} MB (peak in window ${rssPeak[r]!.toFixed(0)}; anon ${mb.rssAnon.toFixed(1)} (malloc brk heap ${mb.brkHeap.toFixed(1)}), file ${mb.rssFile.toFixed(1)}; V8 heap ${mb.heapUsed.toFixed(1)} used of ${mb.heapTotal.toFixed(1)}, external ${mb.external.toFixed(1)}), CPU ${cpu[r]!.toFixed(2)} % of one core, exit ${code}`,
    );
  }
  const after = await stored();
  console.log(
    `idle: ready median ${median(readies).toFixed(0)} ms (${spread(readies, 0)}), RSS median ${median(rss).toFixed(0)} MB (${spread(rss, 0)}; peak in window ${median(rssPeak).toFixed(0)}), CPU median ${median(cpu).toFixed(2)} % (${spread(cpu, 2)}); messages re-sent across ${runs} restarts: ${after - before}`,
  );
  await nc.close();
  nats.stop();
  rmSync(root, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
  return {
    readyMs: readies,
    rssMb: rss,
    rssPeakMb: rssPeak,
    cpuPercent: cpu,
    resent: after - before,
    idleSeconds: IDLE_SECONDS,
    memory,
  };
}
