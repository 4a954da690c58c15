/**
 * Backfill: a generated corpus (bench/corpus) read, normalized and published into JetStream by the real
 * command (`cctap collect --once`) in its own process, every batch acknowledged. Reports MB/s over the
 * collector's own backfill time, wall time including process start, peak RSS of the collector process,
 * and the CPU seconds of the collector and of nats-server (what bounds the result on a 2-core machine).
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, procStat, spawnCollector, spread, startNats } from './collector-support.js';

function treeBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.jsonl')) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

function treeFiles(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter(
    (e) => e.isFile() && e.name.endsWith('.jsonl'),
  ).length;
}

export interface BackfillRow {
  mbps: number;
  wall: number;
  rss: number;
  cpu: number;
  natsCpu: number;
}

export async function backfill(
  root: string,
  runs: number,
  extra: string[],
  nodeArgs: string[],
): Promise<{ bytes: number; files: number; rows: BackfillRow[] }> {
  const bytes = treeBytes(join(root, 'projects'));
  const mb = bytes / 1e6;
  const rows: BackfillRow[] = [];
  for (let r = 0; r < runs; r++) {
    const nats = await startNats('bench');
    const state = mkdtempSync(join(tmpdir(), 'bench-state-'));
    const n0 = procStat(nats.pid).cpuSeconds;
    const t0 = performance.now();
    const c = spawnCollector(
      [
        '--nats',
        nats.url,
        '--prefix',
        'bench',
        '--root',
        root,
        '--state',
        state,
        '--host',
        'bench',
        '--once',
        '--log-level',
        'info',
        ...extra,
      ],
      nodeArgs,
    );
    const done = c.waitLog('backfill done');
    let cpu = 0;
    const cpuSampler = setInterval(() => {
      try {
        cpu = procStat(c.child.pid!).cpuSeconds;
      } catch {
        // exited
      }
    }, 100);
    const code = await c.exited;
    clearInterval(cpuSampler);
    const wall = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`collector exited with ${code}`);
    const d = await Promise.race([done, new Promise<Record<string, unknown>>((res) => setTimeout(() => res({}), 100))]);
    const secs = typeof d.seconds === 'number' ? d.seconds : wall;
    const row = {
      mbps: mb / secs,
      wall,
      rss: c.peakRssBytes() / 1e6,
      cpu,
      natsCpu: procStat(nats.pid).cpuSeconds - n0,
    };
    rows.push(row);
    console.log(
      `backfill run ${r + 1}: ${mb.toFixed(0)} MB in ${secs.toFixed(1)} s = ${row.mbps.toFixed(1)} MB/s (wall with process start ${wall.toFixed(1)} s), peak RSS ${row.rss.toFixed(0)} MB, collector CPU ${row.cpu.toFixed(1)} s, nats-server CPU ${row.natsCpu.toFixed(1)} s, events ${String(d.eventsPublished)}`,
    );
    nats.stop();
    rmSync(state, { recursive: true, force: true });
  }
  const col = (k: keyof (typeof rows)[number]) => rows.map((x) => x[k]);
  console.log(
    `backfill: ${mb.toFixed(0)} MB, median ${median(col('mbps')).toFixed(1)} MB/s (${spread(col('mbps'))}), peak RSS median ${median(col('rss')).toFixed(0)} MB (${spread(col('rss'), 0)}), collector CPU median ${median(col('cpu')).toFixed(1)} s, nats-server CPU median ${median(col('natsCpu')).toFixed(1)} s; ${runs} runs`,
  );
  return { bytes, files: treeFiles(join(root, 'projects')), rows };
}
