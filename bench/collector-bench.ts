/**
 * Collector benchmarks (results in docs/benchmarks.md, section "Collector"):
 *   backfill   a ~300 MB tree made of the real fixtures -> JetStream (nats-server on this machine): MB/s, peak RSS
 *   idle       10k transcripts in 100 folders: time to ready, RSS, CPU % over 20 s idle, batches re-sent on restart
 * Usage: node bench/dist/collector-bench.js [backfill|idle|all] [runs]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topology } from '@cctap/events';
import { createCollector } from '@cctap/collector';
import { connectNats, createJetStreamBus, provision, silentLogger } from '@cctap/kit';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/real/', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function startNats(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-nats-'));
  const child: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  return { url: `nats://127.0.0.1:${port}`, stop: () => { child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); } };
}

function buildTree(root: string, targetBytes: number): number {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.jsonl')).map((f) => join(FIXTURES, f));
  let total = 0;
  for (let i = 0; total < targetBytes; i++) {
    const dir = join(root, 'projects', `-bench-${i % 20}`);
    mkdirSync(dir, { recursive: true });
    for (const [j, f] of fixtures.entries()) {
      copyFileSync(f, join(dir, `c${i}-${j}.jsonl`));
      total += statSync(f).size;
    }
  }
  return total;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

async function backfillOnce(url: string, prefix: string, root: string, bytes: number) {
  const nc = await connectNats({ servers: url, name: 'bench' });
  const bus = createJetStreamBus(nc, { topology: topology(prefix) });
  const state = mkdtempSync(join(tmpdir(), 'bench-state-'));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const p = await createCollector({ bus, roots: [root], stateDir: state, host: 'bench', user: 'u', privacy: 'redacted', subjectPrefix: prefix, watch: false, heartbeatMs: 0, logger: silentLogger }).runOnce();
  const secs = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await nc.close();
  rmSync(state, { recursive: true, force: true });
  return { mbps: bytes / 1024 / 1024 / secs, rssMb: peak / 1024 / 1024, events: p.eventsPublished, secs };
}

async function backfill(runs: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-tree-'));
  const bytes = buildTree(root, 300 * 1024 * 1024);
  const results = [];
  for (let r = 0; r < runs; r++) {
    const nats = await startNats();
    const nc = await connectNats({ servers: nats.url, name: 'bench-provision' });
    await provision(nc, { prefix: 'bench', maxBytes: 8 * 1024 ** 3 });
    await nc.close();
    global.gc?.();
    const res = await backfillOnce(nats.url, 'bench', root, bytes);
    results.push(res);
    console.log(`backfill run ${r + 1}: ${(bytes / 1024 / 1024).toFixed(0)} MiB in ${res.secs.toFixed(1)} s = ${res.mbps.toFixed(1)} MiB/s, peak RSS ${res.rssMb.toFixed(0)} MB, ${res.events} events`);
    nats.stop();
  }
  console.log(`backfill: median ${median(results.map((r) => r.mbps)).toFixed(1)} MiB/s (${spread(results.map((r) => r.mbps))}), peak RSS median ${median(results.map((r) => r.rssMb)).toFixed(0)} MB (${spread(results.map((r) => r.rssMb))})`);
  rmSync(root, { recursive: true, force: true });
}

async function idle(runs: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'bench-idle-'));
  const line = `${JSON.stringify({ type: 'user', uuid: 'u', sessionId: 's', timestamp: '2026-01-01T00:00:00Z', cwd: '/p', message: { role: 'user', content: 'hello' } })}\n`;
  for (let d = 0; d < 100; d++) {
    const dir = join(root, 'projects', `-p-${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(dir, `s-${f}.jsonl`), line.repeat(3));
  }
  const nats = await startNats();
  const nc = await connectNats({ servers: nats.url, name: 'bench' });
  await provision(nc, { prefix: 'idle', maxBytes: 1024 ** 3 });
  const bus = createJetStreamBus(nc, { topology: topology('idle') });
  const state = mkdtempSync(join(tmpdir(), 'bench-state-'));
  const opts = { bus, roots: [root], stateDir: state, host: 'idle', user: 'u', privacy: 'redacted' as const, subjectPrefix: 'idle', heartbeatMs: 0, logger: silentLogger };
  await createCollector({ ...opts, watch: false }).runOnce();
  const stored = async () => (await bus.read('raw', { fromSeq: 1, max: 100_000 })).length;
  const before = await stored();
  const readies: number[] = [], rss: number[] = [], cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    global.gc?.();
    const t0 = performance.now();
    const c = createCollector(opts);
    await c.start();
    await c.idle();
    readies.push(performance.now() - t0);
    global.gc?.();
    const u0 = process.cpuUsage();
    const w0 = performance.now();
    await new Promise((res) => setTimeout(res, 20_000));
    const u = process.cpuUsage(u0);
    cpu.push(((u.user + u.system) / 1000 / (performance.now() - w0)) * 100);
    rss.push(process.memoryUsage().rss / 1024 / 1024);
    await c.stop();
    console.log(`idle run ${r + 1}: ready ${readies[r]!.toFixed(0)} ms, RSS ${rss[r]!.toFixed(0)} MB, CPU ${cpu[r]!.toFixed(2)} % of one core`);
  }
  const after = await stored();
  console.log(`idle: ready median ${median(readies).toFixed(0)} ms (${spread(readies)}), RSS median ${median(rss).toFixed(0)} MB (${spread(rss)}), CPU median ${median(cpu).toFixed(2)} % (${spread(cpu)}); messages re-sent across ${runs} restarts: ${after - before}`);
  await nc.close();
  nats.stop();
  rmSync(root, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
}

const [what = 'all', runsArg = '3'] = process.argv.slice(2);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`);
if (what === 'backfill' || what === 'all') await backfill(Number(runsArg));
if (what === 'idle' || what === 'all') await idle(Number(runsArg));
process.exit(0);
