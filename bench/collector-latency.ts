/**
 * Append -> stored latency. The real command (`cctap collect`, live mode, default sweep/trailing settings)
 * runs in its own process; this process appends real transcript lines (taken from test/fixtures/real, lines
 * under 16 KB) to 4 session files at a steady 1,000 lines/s (10 lines every 10 ms) plus a burst of 300
 * lines into one file every 3 s, and subscribes to the raw subject. A line's latency is from the return of
 * its appendFileSync to the arrival of the batch that holds it: the server routes a message to subscribers
 * when it stores it, just before the PubAck leaves, so this is append -> PubAck within a fraction of a
 * millisecond. The last line of each burst is reported on its own (no further write follows it: only the
 * trailing re-check or the sweep can pick it up).
 */
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTrustedBatch, topology } from '@cctap/events';
import { connectNats } from '@cctap/kit';
import { median, percentile, REPO, spawnCollector, spread, startNats } from './collector-support.js';

const RUN_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);

function fixtureLines(): string[] {
  const dir = join(REPO, 'test/fixtures/real');
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n'))
      if (l.length > 0 && l.length < 16_384) out.push(`${l}\n`);
  }
  return out;
}

export interface LatencyResult {
  p50: number[];
  p99: number[];
  max: number[];
  burstP99: number[];
  burstMax: number[];
  lines: number[];
  lost: number[];
  runSeconds: number;
}

export async function latency(runs: number, extra: string[]): Promise<LatencyResult> {
  const lines = fixtureLines();
  const nats = await startNats('lat');
  const nc = await connectNats({ servers: nats.url, name: 'bench-latency' });
  const p50s: number[] = [],
    p99s: number[] = [],
    maxs: number[] = [],
    burstP99s: number[] = [],
    burstMaxs: number[] = [],
    counts: number[] = [],
    losts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const root = mkdtempSync(join(tmpdir(), 'bench-lat-'));
    const state = mkdtempSync(join(tmpdir(), 'bench-state-'));
    const files = [0, 1, 2, 3].map((i) => join(root, 'projects', `-p-${i % 2}`, `s-${i}.jsonl`));
    for (const f of files) {
      mkdirSync(join(f, '..'), { recursive: true });
      writeFileSync(f, lines[0]!);
    }
    const host = `lat${r}`;
    // (path, end offset of a line) -> when its append returned
    const appended = new Map<string, number>();
    const burstEnds = new Set<string>();
    const lat: number[] = [],
      burstLat: number[] = [];
    const sub = nc.subscribe(topology('lat').subjects.raw(host), {
      callback: (_err, msg) => {
        const now = performance.now();
        const b = decodeTrustedBatch(msg.data);
        for (const [key, t] of appended) {
          const [path, end] = [key.slice(0, key.lastIndexOf('|')), Number(key.slice(key.lastIndexOf('|') + 1))];
          if (path === b.source.path && end > b.source.from && end <= b.source.to) {
            lat.push(now - t);
            if (burstEnds.has(key)) burstLat.push(now - t);
            appended.delete(key);
          }
        }
      },
    });
    const c = spawnCollector([
      '--nats',
      nats.url,
      '--prefix',
      'lat',
      '--root',
      root,
      '--state',
      state,
      '--host',
      host,
      '--heartbeat-seconds',
      '0',
      '--metrics-port',
      '0',
      '--log-level',
      'info',
      ...extra,
    ]);
    await c.waitLog('backfill done');
    let li = 0,
      fi = 0;
    const write = (path: string) => {
      const l = lines[li++ % lines.length]!;
      appendFileSync(path, l);
      const key = `${path}|${statSync(path).size}`;
      appended.set(key, performance.now());
      return key;
    };
    const steady = setInterval(() => {
      for (let i = 0; i < 10; i++) write(files[fi++ % files.length]!);
    }, 10);
    const bursts = setInterval(() => {
      const f = files[fi++ % files.length]!;
      let last = '';
      for (let i = 0; i < 300; i++) last = write(f);
      burstEnds.add(last);
    }, 3000);
    await new Promise((res) => setTimeout(res, RUN_SECONDS * 1000));
    clearInterval(steady);
    clearInterval(bursts);
    await new Promise((res) => setTimeout(res, 3000)); // let the last lines arrive
    const lost = appended.size;
    sub.unsubscribe();
    c.child.kill('SIGTERM');
    await c.exited;
    const p50 = percentile(lat, 50),
      p99 = percentile(lat, 99),
      max = Math.max(...lat);
    p50s.push(p50);
    p99s.push(p99);
    maxs.push(max);
    burstP99s.push(percentile(burstLat, 99));
    burstMaxs.push(Math.max(...burstLat));
    counts.push(lat.length);
    losts.push(lost);
    console.log(
      `latency run ${r + 1}: ${lat.length} lines, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms; last line of ${burstLat.length} bursts: p99 ${percentile(burstLat, 99).toFixed(1)} ms, max ${Math.max(...burstLat).toFixed(1)} ms; not seen after 3 s: ${lost}`,
    );
    rmSync(root, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
  console.log(
    `latency: p50 median ${median(p50s).toFixed(1)} ms (${spread(p50s)}), p99 median ${median(p99s).toFixed(1)} ms (${spread(p99s)}), max median ${median(maxs).toFixed(1)} ms; last line of bursts p99 median ${median(burstP99s).toFixed(1)} ms (${spread(burstP99s)}), max ${Math.max(...burstMaxs).toFixed(1)} ms; ${runs} runs`,
  );
  await nc.close();
  nats.stop();
  return {
    p50: p50s,
    p99: p99s,
    max: maxs,
    burstP99: burstP99s,
    burstMax: burstMaxs,
    lines: counts,
    lost: losts,
    runSeconds: RUN_SECONDS,
  };
}
