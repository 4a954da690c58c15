/**
 * `cctap statusline` as Claude Code runs it: a new process per refresh, the session JSON on stdin, one line
 * out. Against a running `cctap up` (in-process bus, embedded store) holding a generated corpus plus one live
 * session, the wall time of each call from spawn to exit (the number Claude Code waits for), and the
 * loopback request alone (its share inside `up`). Then the same calls with no `up`: the transcript fallback.
 * Calls run one after another, as Claude Code's refreshes do.
 *
 *   npm run bench:statusline -- [--size 20MB] [--calls 40] [--no-doc]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseSize } from './corpus/index.js';
import { ensureCorpus } from './support/corpus-cache.js';
import { metric } from './support/bench-result.js';
import { askUp } from './support/ask-up.js';
import { startBackfilledUp } from './support/backfilled-up.js';
import { cctapEnv } from './support/cctap-env.js';
import { npmCommand, publishResult } from './support/publish-result.js';

const CLI = fileURLToPath(new URL('../../apps/cctap/dist/main.js', import.meta.url));
const OUT = fileURLToPath(new URL('../out/', import.meta.url));
const GOAL_MS = 100;

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '20MB' },
    calls: { type: 'string', default: '40' },
    'no-doc': { type: 'boolean' },
  },
});
const size = parseSize(values.size);
const calls = Number(values.calls);

const SESSION = '0b7f6c1e-2a4d-4e55-9c1a-5d2f3e4a5b6c';

/** A session of 200 priced responses over the last hour and a half: today's, and an active block. */
function writeLiveSession(root: string): string {
  const dir = join(root, 'projects', '-bench-statusline');
  mkdirSync(dir, { recursive: true });
  const t0 = Date.now() - 90 * 60_000;
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const ts = new Date(t0 + i * 27_000).toISOString();
    lines.push(
      JSON.stringify({
        uuid: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        parentUuid: null,
        isSidechain: false,
        sessionId: SESSION,
        timestamp: ts,
        cwd: '/bench/app',
        version: '2.1.300',
        type: 'assistant',
        requestId: `req_${i}`,
        message: {
          id: `msg_${i}`,
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5-20250929',
          content: [{ type: 'text', text: 'ok' }],
          stop_reason: 'end_turn',
          usage: {
            input_tokens: 2000,
            output_tokens: 800,
            cache_creation_input_tokens: 3000,
            cache_read_input_tokens: 40_000,
          },
        },
      }),
    );
  }
  const file = join(dir, `${SESSION}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function input(transcript: string, i: number): string {
  const reset = Math.floor(Date.now() / 3_600_000) * 3600 + 3600;
  return JSON.stringify({
    session_id: SESSION,
    transcript_path: transcript,
    cwd: '/bench/app',
    version: '2.1.300',
    model: { id: 'claude-sonnet-4-5-20250929', display_name: 'Sonnet 4.5' },
    workspace: { current_dir: '/bench/app', project_dir: '/bench/app' },
    context_window: { context_window_size: 200_000, used_percentage: 20 + (i % 3) },
    rate_limits: {
      five_hour: { used_percentage: 30 + (i % 2), resets_at: reset },
      seven_day: { used_percentage: 12, resets_at: reset + 86_400 },
    },
  });
}

/** One status-line call: wall ms from spawn to exit, and its line. */
function call(data: string, stdin: string): Promise<{ ms: number; line: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, 'statusline', '--data', data, '--timeout-ms', '30000'], {
      env: cctapEnv(),
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ ms: performance.now() - t0, line: out.trim() })
        : reject(new Error(`statusline exited ${code}`)),
    );
    child.stdin.end(stdin);
  });
}

/** The floor: a Node.js process that does nothing, spawned and awaited the same way. */
function bareNode(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - t0));
  });
}

/** The loopback request alone, as the command sends it (and reads its answer). */
async function post(port: number, token: string, body: string): Promise<number> {
  const t0 = performance.now();
  await askUp(port, token, body);
  return performance.now() - t0;
}

const corpus = ensureCorpus(OUT, size, 1);
const dir = mkdtempSync(join(tmpdir(), 'bench-statusline-'));
const live = join(dir, 'claude');
const transcript = writeLiveSession(live);
const data = join(dir, 'data');
const up = startBackfilledUp([corpus.dir, live], data, dir);

const withUp: number[] = [];
const loopback: number[] = [];
const fallback: number[] = [];
const floor: number[] = [];
let sample = '';
let fallbackSample = '';
try {
  const { port, token } = await up.ready(600_000);
  await call(data, input(transcript, 0)); // warm: the first query plans and caches
  for (let i = 0; i < calls; i++) {
    const r = await call(data, input(transcript, i));
    if (!r.line.includes('today $')) throw new Error(`not answered by up: ${r.line}`);
    withUp.push(r.ms);
    sample = r.line;
    loopback.push(await post(port, token, JSON.stringify({ op: 'statusline', query: { sessionId: SESSION, tz: '' } })));
    floor.push(await bareNode());
  }
  const none = join(dir, 'no-up');
  for (let i = 0; i < calls; i++) {
    const r = await call(none, input(transcript, i));
    if (!r.line.includes('no cctap up')) throw new Error(`unexpected fallback line: ${r.line}`);
    fallback.push(r.ms);
    fallbackSample = r.line;
  }
} finally {
  await up.stop();
  rmSync(dir, { recursive: true, force: true });
}

const details = [
  `Corpus: ${values.size} generated (seed 1) plus one live session of 200 responses, in one \`cctap up\` (in-process bus, embedded store).`,
  `Each call is a new \`node apps/cctap/dist/main.js statusline --timeout-ms 30000\` process given the session JSON on stdin, timed from spawn to exit, ${calls} calls one after another after one warm-up call (the long timeout keeps every call on \`up\`'s answer, which is what is measured).`,
  `Line with up: \`${sample}\`; without: \`${fallbackSample}\` (the transcript, cached until it changes).`,
  'The goal is for the whole call. Its parts: a bare Node.js process (the floor, measured beside each call), the loopback request inside `up` (its figures are kept per session and recomputed behind the line when older than 2 s), and the modules the command loads.',
].join('\n');

publishResult({
  id: 'statusline',
  command: npmCommand('bench:statusline'),
  metrics: [
    metric({
      id: 'call-ms',
      title: 'Status line with cctap up, whole call',
      metric: 'one call, spawn to exit',
      unit: 'ms',
      samples: withUp,
      goal: { op: '<=', value: GOAL_MS, source: 'status line refresh' },
      digits: 0,
    }),
    metric({
      id: 'loopback-ms',
      title: 'Status line: the loopback request alone',
      metric: 'one POST /v1/query op statusline, inside up',
      unit: 'ms',
      samples: loopback,
      digits: 1,
      summary: false,
    }),
    metric({
      id: 'node-floor-ms',
      title: 'Status line: a bare `node -e 0` process (the floor)',
      metric: 'one process, spawn to exit',
      unit: 'ms',
      samples: floor,
      digits: 0,
      summary: false,
    }),
    metric({
      id: 'fallback-ms',
      title: 'Status line without cctap up (transcript), whole call',
      metric: 'one call, spawn to exit',
      unit: 'ms',
      samples: fallback,
      digits: 0,
      summary: false,
    }),
  ],
  details,
  noDoc: values['no-doc'],
});
