/**
 * `cctap statusline` as Claude Code runs it (the built command, the session JSON on stdin, one line out; a
 * long --timeout-ms, so a busy machine cannot turn an answer from `up` into the transcript fallback):
 *   - with no `cctap up`: the session's cost from its transcript, today and the block left out;
 *   - with a running `up` on the same corpus: the session, today and block figures are the ones
 *     `cctap report session|daily|blocks` give; the input's rate_limits and context_window readings become
 *     quota events (identical consecutive readings once), queryable with `cctap sql` in quota_readings, and a
 *     5-hour window at 91% fires the shipped quota-high alert;
 *   - nothing makes it fail: bad input, a bad flag.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CCTAP, childEnv, cli, sqlJson, startUp, waitUntil, type Up } from './support/run-cctap.js';

let dir: string;
let root: string;
let data: string;
let env: NodeJS.ProcessEnv;
const SESSION = '5f0c1c52-7c1e-4d7a-9d62-3f1f3b2a0c11';
let transcript: string;

/** A session of six priced responses over the last half hour (so today's and the active block's too). */
function writeSession(): void {
  const project = join(root, 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  const t0 = Date.now() - 30 * 60_000;
  const ts = (i: number) => new Date(t0 + i * 60_000).toISOString();
  const base = (i: number) => ({
    uuid: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`,
    parentUuid: null,
    isSidechain: false,
    sessionId: SESSION,
    timestamp: ts(i),
    cwd: '/home/dev/app',
    version: '2.1.300',
  });
  const lines: object[] = [{ ...base(0), type: 'user', message: { role: 'user', content: 'hello' } }];
  for (let i = 1; i <= 6; i++) {
    lines.push({
      ...base(i),
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
          input_tokens: 1000 * i,
          output_tokens: 3000,
          cache_creation_input_tokens: 2000,
          cache_read_input_tokens: 10_000,
        },
      },
    });
  }
  transcript = join(project, `${SESSION}.jsonl`);
  writeFileSync(transcript, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
}

/** The status-line input Claude Code sends (its documented fields). */
const RESET = Math.floor(Date.now() / 1000) + 3600;
function statusInput(fiveHour: number, contextPct = 42): string {
  const reset = RESET;
  return JSON.stringify({
    hook_event_name: 'Status',
    session_id: SESSION,
    transcript_path: transcript,
    cwd: '/home/dev/app',
    version: '2.1.300',
    model: { id: 'claude-sonnet-4-5-20250929', display_name: 'Sonnet 4.5' },
    workspace: { current_dir: '/home/dev/app', project_dir: '/home/dev/app' },
    cost: {
      total_cost_usd: 0.5,
      total_duration_ms: 1000,
      total_api_duration_ms: 800,
      total_lines_added: 1,
      total_lines_removed: 0,
    },
    exceeds_200k_tokens: false,
    context_window: {
      context_window_size: 200_000,
      used_percentage: contextPct,
      total_input_tokens: 84_000,
      total_output_tokens: 3000,
      current_usage: {
        input_tokens: 4000,
        output_tokens: 3000,
        cache_creation_input_tokens: 2000,
        cache_read_input_tokens: 78_000,
      },
    },
    rate_limits: {
      five_hour: { used_percentage: fiveHour, resets_at: reset },
      seven_day: { used_percentage: 40, resets_at: reset + 86_400 },
    },
  });
}

/** `cctap statusline <args>` with `stdin` written to it, as Claude Code runs it. */
function statusline(
  stdin: string,
  args: readonly string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [CCTAP, 'statusline', '--data', data, '--tz', 'UTC', '--timeout-ms', '30000', ...args],
      { env: childEnv(env) },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const money = (v: number | null) => (v === null ? '$?' : `$${v.toFixed(2)}`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-statusline-'));
  root = join(dir, 'claude');
  data = join(dir, 'data');
  env = { HOME: join(dir, 'home') };
  mkdirSync(join(dir, 'home'));
  writeSession();
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cctap statusline', () => {
  it('never fails the status line: bad input and a bad flag print one line and exit 0', async () => {
    const garbage = await statusline('not json');
    expect(garbage.code).toBe(0);
    expect(garbage.stdout.trim().split('\n')).toHaveLength(1);
    const badFlag = await statusline(statusInput(10), ['--nope']);
    expect(badFlag.code).toBe(0);
    expect(badFlag.stdout.trim()).toMatch(/^cctap statusline: .*--nope/);
    const badZone = await statusline(statusInput(10), ['--tz', 'Mars/Base']);
    expect(badZone.code).toBe(0);
    expect(badZone.stdout.trim().split('\n')).toHaveLength(1);
  });

  let fallbackSession = '';
  it('without cctap up: the session cost from its transcript', async () => {
    const r = await statusline(statusInput(10));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^Sonnet 4\.5 \| session \$\d+\.\d\d \| ctx 42% \| no cctap up$/);
    fallbackSession = /session (\$\S+)/.exec(r.stdout)![1]!;
  });

  it('with cctap up: the report numbers, quota events recorded once per change, and the quota alert', async () => {
    let exitCode: number | null;
    const up: Up = startUp(
      ['--root', root, '--data', data, '--metrics-port', '0', '--status-seconds', '0', '--log-format', 'json'],
      env,
    );
    try {
      // Until `up` holds the store, a report would open it itself and keep `up` out.
      await waitUntil(
        'the loopback endpoint of up',
        () => up.stderr().includes('loopback query endpoint') || undefined,
        60_000,
        () => up.stderr(),
      );
      type Sessions = { sessions: { sessionId: string; totalCost: number | null }[] };
      const sessions = await waitUntil(
        'the session stored and reported over loopback',
        async () => {
          const r = await cli(['report', 'session', '--json', '--data', data], env);
          const s = r.code === 0 ? (JSON.parse(r.stdout) as Sessions) : undefined;
          // Its events can be stored a flush before its usage: until then the session is listed without a cost.
          return s?.sessions.some((x) => x.sessionId === SESSION && x.totalCost !== null) ? s : undefined;
        },
        60_000,
        () => up.stderr(),
      );
      const daily = JSON.parse((await cli(['report', 'daily', '--json', '--data', data], env)).stdout) as {
        daily: { date: string; totalCost: number | null }[];
      };
      const blocks = JSON.parse(
        (await cli(['report', 'blocks', '--active', '--json', '--data', data], env)).stdout,
      ) as { blocks: { costUSD: number; burnRate: { costPerHour: number } }[] };
      const sessionCost = sessions.sessions.find((x) => x.sessionId === SESSION)!.totalCost;
      expect(blocks.blocks).toHaveLength(1);

      const r = await statusline(statusInput(91));
      expect(r.code, r.stderr).toBe(0);
      // "today" is the local day of the call: in a run that crosses midnight the usage is on the day before.
      const callDay = new Date().toLocaleDateString('en-CA');
      const today = daily.daily.filter((d) => d.date === callDay).reduce((sum, d) => sum + (d.totalCost ?? 0), 0);
      const block = blocks.blocks[0]!;
      expect(r.stdout.trim()).toMatch(
        new RegExp(
          `^Sonnet 4\\.5 \\| session \\${money(sessionCost)} \\| today \\${money(today)} \\| block \\${money(block.costUSD)}, \\d+h\\d\\dm left, \\${money(block.burnRate.costPerHour)}/h \\| ctx 42%$`,
        ),
      );
      // The transcript gives the same session cost as the store.
      expect(fallbackSession).toBe(money(sessionCost));

      // Identical readings again (dropped), then the 5-hour window moves on.
      await statusline(statusInput(91));
      await statusline(statusInput(91));
      await statusline(statusInput(92.5));
      type Reading = {
        window: string;
        used_percentage: number;
        resets_at: string | null;
        window_tokens: number | null;
        used_tokens: number | null;
        session_id: string;
      };
      const rows = await waitUntil(
        'the 92.5% reading in quota_readings',
        async () => {
          const got = await sqlJson<Reading>(
            data,
            'SELECT window, used_percentage, resets_at, window_tokens, used_tokens, session_id FROM quota_readings ORDER BY ts, window',
          );
          return got.some((x) => x.used_percentage === 92.5) ? got : undefined;
        },
        30_000,
        () => up.stderr(),
      );
      expect(rows.map((x) => [x.window, x.used_percentage])).toEqual([
        ['context', 42],
        ['five_hour', 91],
        ['seven_day', 40],
        ['five_hour', 92.5],
      ]);
      expect(rows[0]).toMatchObject({
        window_tokens: 200_000,
        used_tokens: 84_000,
        resets_at: null,
        session_id: SESSION,
      });
      expect(rows[1]!.resets_at).not.toBeNull();

      type Listed = { alerts: { rule: string; labels: Record<string, string> }[] };
      const alerts = await waitUntil(
        'the quota-high alert',
        async () => {
          const a = await cli(['alerts', 'list', '--json', '--data', data], env);
          const listed =
            a.code === 0 ? (JSON.parse(a.stdout) as Listed).alerts.filter((x) => x.rule === 'quota-high') : [];
          return listed.length > 0 ? listed : undefined;
        },
        30_000,
        () => up.stderr(),
      );
      expect(alerts.map((a) => a.labels['payload.window'])).toEqual(['five_hour']);
    } finally {
      up.child.kill('SIGTERM');
      exitCode = await up.exit;
    }
    expect(exitCode, up.stderr().slice(-2000)).toBe(0);
  }, 120_000);
});
