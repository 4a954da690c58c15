/**
 * End to end, single process: `cctap up --once` (the real binary, in-process bus, embedded ClickHouse) on a
 * generated corpus, every line into the store. MB/s over the collector's backfill time (from its
 * "backfill done" line: every batch acked by every consumer, i.e. inserted) and over the wall time of the
 * whole command (process start, migrations, backfill, final flush and summary).
 * Then latency: `cctap up` live on a small root; a line is appended to a live transcript and the loopback
 * query endpoint (up.json) is polled every 50 ms until a row with that (source_path, source_offset) is
 * queryable. p50/p99 over the appends.
 *
 *   npm run bench:e2e -- [--size 256MB] [--runs 3] [--appends 60] [--no-doc]
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseSize } from './corpus/index.js';
import { ensureCorpus } from './support/corpus-cache.js';
import { metric } from './support/bench-result.js';
import { cctapEnv } from './support/cctap-env.js';
import { npmCommand, publishResult } from './support/publish-result.js';

const CLI = fileURLToPath(new URL('../../apps/cctap/dist/main.js', import.meta.url));
const OUT = fileURLToPath(new URL('../out/', import.meta.url));

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '256MB' },
    runs: { type: 'string', default: '3' },
    appends: { type: 'string', default: '60' },
    'no-doc': { type: 'boolean' },
  },
});
const size = parseSize(values.size);
const runs = Number(values.runs);
const appends = Number(values.appends);

function treeBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.jsonl')) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

function runUp(args: string[]): { stderr: () => string; exited: Promise<number | null>; kill: () => void } {
  const child = spawn(process.execPath, [CLI, 'up', ...args], { env: cctapEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stderr: () => err, exited: new Promise((r) => child.on('exit', r)), kill: () => child.kill('SIGTERM') };
}

async function backfill(root: string): Promise<{ mbps: number; wallMbps: number; seconds: number; wall: number }> {
  const bytes = treeBytes(join(root, 'projects'));
  const data = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  try {
    const t0 = performance.now();
    const up = runUp([
      '--root',
      root,
      '--data',
      join(data, 'data'),
      '--once',
      '--metrics-port',
      '0',
      '--log-format',
      'json',
    ]);
    const code = await up.exited;
    const wall = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`cctap up --once exited with ${code}\n${up.stderr().slice(-2000)}`);
    const line = up
      .stderr()
      .split('\n')
      .find((l) => l.includes('"msg":"backfill done'));
    const seconds = line ? (JSON.parse(line) as { seconds: number }).seconds : wall;
    return { mbps: bytes / 1e6 / seconds, wallMbps: bytes / 1e6 / wall, seconds, wall };
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

function query(port: number, token: string, sql: string): Promise<Array<Record<string, number>>> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/query',
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          const r = JSON.parse(body) as {
            ok: boolean;
            result: Array<Record<string, number>>;
            error?: { message: string };
          };
          if (r.ok) resolve(r.result);
          else reject(new Error(r.error?.message));
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ op: 'sql', sql }));
  });
}

async function latency(template: string): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-live-'));
  const root = join(dir, 'claude');
  const projects = join(root, 'projects', '-bench-live');
  mkdirSync(projects, { recursive: true });
  const file = join(projects, '11111111-2222-4333-8444-555555555555.jsonl');
  writeFileSync(file, '');
  const data = join(dir, 'data');
  const up = runUp([
    '--root',
    root,
    '--data',
    data,
    '--metrics-port',
    '0',
    '--log-format',
    'json',
    '--status-seconds',
    '0',
  ]);
  const samples: number[] = [];
  try {
    const deadline = Date.now() + 60_000;
    while (!up.stderr().includes('"msg":"backfill done') || !existsSync(join(data, 'up.json'))) {
      if (Date.now() > deadline) throw new Error(`up did not start\n${up.stderr().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { port, token } = JSON.parse(readFileSync(join(data, 'up.json'), 'utf8')) as { port: number; token: string };
    for (let i = 0; i < appends; i++) {
      const offset = statSync(file).size;
      const t0 = performance.now();
      appendFileSync(file, `${template.replace(/"uuid":"[^"]+"/, `"uuid":"bench-${i}-${Date.now()}"`)}\n`);
      for (;;) {
        const [r] = await query(
          port,
          token,
          `SELECT count() AS n FROM events WHERE source_path = '${file}' AND source_offset = ${offset}`,
        );
        if ((r?.n ?? 0) > 0) break;
        if (performance.now() - t0 > 30_000) throw new Error('a line did not arrive within 30 s');
        await new Promise((r2) => setTimeout(r2, 50));
      }
      samples.push((performance.now() - t0) / 1000);
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
    }
  } finally {
    up.kill();
    await up.exited;
    rmSync(dir, { recursive: true, force: true });
  }
  return samples;
}

const corpus = ensureCorpus(OUT, size, 1);
const root = corpus.dir;
console.log(
  `corpus ${(treeBytes(join(root, 'projects')) / 1e6).toFixed(0)} MB in ${root}${corpus.generated ? ' (generated)' : ''}`,
);
const results = [];
for (let r = 0; r < runs; r++) {
  const b = await backfill(root);
  console.log(
    `run ${r + 1}: ${b.mbps.toFixed(1)} MB/s backfill (${b.seconds.toFixed(1)} s), ${b.wallMbps.toFixed(1)} MB/s wall (${b.wall.toFixed(1)} s)`,
  );
  results.push(b);
}
const firstLine = readFileSync(join(root, corpus.expected.files.find((f) => f.role === 'main')!.path), 'utf8')
  .split('\n')
  .find((l) => l.includes('"type":"user"'))!;
const lat = await latency(firstLine);
const sorted = [...lat].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const corpusMb = treeBytes(join(root, 'projects')) / 1e6;
const details = [
  `Corpus ${corpusMb.toFixed(0)} MB (seed 1), \`cctap up --once\` (in-process bus, embedded ClickHouse) ${runs} times; then \`cctap up\` live with ${appends} appends polled over the loopback query endpoint.`,
  `Whole \`up --once\` in wall time (incl. start and final flush): ${results.map((x) => x.wallMbps.toFixed(1)).join(' / ')} MB/s per run. Append latency: p50 ${pct(50).toFixed(2)} s, max ${sorted[sorted.length - 1]!.toFixed(2)} s.`,
].join('\n');
console.log(details);
publishResult({
  id: 'e2e-single',
  command: npmCommand('bench:e2e'),
  metrics: [
    metric({
      id: 'backfill-mb-per-s',
      title: 'Backfill into the store (`cctap up --once`)',
      metric: "corpus MB ÷ the collector's backfill time (every batch acked by every consumer), one run",
      unit: 'MB/s',
      samples: results.map((x) => x.mbps),
      goal: { op: '>=', value: 25, source: 'end-to-end issue' },
    }),
    metric({
      id: 'wall-mb-per-s',
      title: 'Whole `up --once`, wall',
      metric: 'corpus MB ÷ wall time of the command, one run',
      unit: 'MB/s',
      samples: results.map((x) => x.wallMbps),
      summary: false,
    }),
    metric({
      id: 'append-p99',
      title: 'Append → row queryable over loopback, p99',
      metric: `p99 over ${appends} appends (one live run)`,
      unit: 's',
      samples: [pct(99)],
      digits: 2,
      goal: { op: '<=', value: 3, source: 'end-to-end issue' },
    }),
  ],
  details,
  noDoc: values['no-doc'] ?? false,
});
