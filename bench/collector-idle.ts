/**
 * Idle: 10k transcripts in 100 folders with mtimes 30 days old (what a real ~/.claude/projects looks like),
 * already backfilled once. Each run starts the real command (live mode, heartbeats off) over the existing
 * checkpoints in its own process and measures: time to ready (spawn -> "backfill done", including node
 * start), then over 20 s of idleness its CPU (from /proc, % of one core) and RSS at the end; finally how
 * many messages all restarts re-sent (should be 0). Pass `-- --hot-window-ms 315360000000` to measure the
 * cost of stat-ing every file every second.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topology } from '@cctap/events';
import { connectNats, createJetStreamBus } from '@cctap/kit';
import { median, procStat, spawnCollector, spread, startNats } from './collector-support.js';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);

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

export async function idle(runs: number, extra: string[], nodeArgs: string[] = []): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-idle-'));
  const state = mkdtempSync(join(tmpdir(), 'bench-state-'));
  buildTree(root);
  const nats = await startNats('idle');
  const common = ['--nats', nats.url, '--prefix', 'idle', '--root', root, '--state', state, '--host', 'idle', '--heartbeat-seconds', '0', '--metrics-port', '0', '--log-level', 'info', ...extra];
  const first = spawnCollector([...common, '--once']);
  if ((await first.exited) !== 0) throw new Error('initial backfill failed');
  const nc = await connectNats({ servers: nats.url, name: 'bench-idle' });
  const bus = createJetStreamBus(nc, { topology: topology('idle') });
  const stored = async () => {
    let n = 0;
    for (let from = 1; ; ) {
      const page = await bus.read('raw', { fromSeq: from, max: 1000 });
      if (page.length === 0) return n;
      n += page.length;
      from = page[page.length - 1]!.seq + 1;
    }
  };
  const before = await stored();
  const readies: number[] = [], rss: number[] = [], cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const c = spawnCollector(common, nodeArgs);
    await c.waitLog('backfill done');
    readies.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, 2000)); // let start-up garbage settle
    const s0 = procStat(c.child.pid!);
    const w0 = performance.now();
    await new Promise((res) => setTimeout(res, IDLE_SECONDS * 1000));
    const s1 = procStat(c.child.pid!);
    cpu.push(((s1.cpuSeconds - s0.cpuSeconds) / ((performance.now() - w0) / 1000)) * 100);
    rss.push(s1.rssBytes / 1e6);
    c.child.kill('SIGTERM');
    const code = await c.exited;
    console.log(`idle run ${r + 1}: ready ${readies[r]!.toFixed(0)} ms, RSS ${rss[r]!.toFixed(0)} MB, CPU ${cpu[r]!.toFixed(2)} % of one core, exit ${code}`);
  }
  const after = await stored();
  console.log(`idle: ready median ${median(readies).toFixed(0)} ms (${spread(readies, 0)}), RSS median ${median(rss).toFixed(0)} MB (${spread(rss, 0)}), CPU median ${median(cpu).toFixed(2)} % (${spread(cpu, 2)}); messages re-sent across ${runs} restarts: ${after - before}`);
  await nc.close();
  nats.stop();
  rmSync(root, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
}
