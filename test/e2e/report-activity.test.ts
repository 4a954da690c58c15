/**
 * `cctap report activity` end to end: `cctap up --once` on the activity fixture (test/fixtures/activity: two
 * sessions on two days with Edit, MultiEdit, Write create and update, a failed Edit, a denied call, a git commit,
 * gh pr create, pr-link lines, prompt-cache misses, a fork's copy of a tool result and a line stored twice),
 * then the report as JSON and as a table, and the cache misses in `report session --detail`. Every expected
 * number is counted by hand from the fixture (docs/activity.md has the definitions).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { cli, exitWithin, startUp, waitUntil, type CliResult, type Up } from './support/run-cctap.js';

const SESSION_A = 'ac710170-0000-4000-8000-00000000000a';
const SONNET = 'claude-sonnet-4-5-20250929';
const OPUS = 'claude-opus-4-1-20250805';

let dir: string;
let data: string;
/** A second `up` on the filled store, with nothing left to read: the reports ask it over loopback, side by side. */
let serving: Up;
let answers: CliResult[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-activity-'));
  const root = join(dir, 'claude');
  data = join(dir, 'data');
  cpSync(join(REPO_ROOT, 'test/fixtures/activity'), root, { recursive: true });
  const up = startUp([
    ...['--root', root, '--data', data, '--once', '--metrics-port', '0'],
    ...['--log-format', 'json', '--status-seconds', '0'],
  ]);
  const code = await up.exit;
  if (code !== 0) throw new Error(`cctap up --once exited ${code}:\n${up.stderr().slice(-3000)}`);
  const empty = join(dir, 'empty');
  mkdirSync(join(empty, 'projects'), { recursive: true });
  serving = startUp(['--root', empty, '--data', data, '--metrics-port', '0', '--quiet', '--status-seconds', '0'], {
    HOME: dir,
  });
  // up.json names the loopback port once up answers there; before, a report would open the store itself.
  const upJson = join(data, 'up.json');
  await waitUntil(
    'the loopback port in up.json',
    () =>
      existsSync(upJson) && typeof (JSON.parse(readFileSync(upJson, 'utf8')) as { port?: unknown }).port === 'number'
        ? true
        : undefined,
    60_000,
    serving.stderr,
  );
  // Every command at once (each is a process start): the checks below read their answers.
  answers = await Promise.all(
    [
      ['activity', '--json'],
      ['activity', '--period', 'month', '--by', 'branch', '--json'],
      ['activity', '--by', 'model', '--order', 'desc', '--json'],
      ['activity', '--since', '2026-11-03', '--json'],
      ['activity', '--period', 'week'],
      ['activity', '--period', 'year'],
      ['session', '--detail', '--json'],
      ['session', '--id', SESSION_A, '--json'],
      ['session', '--id', SESSION_A],
    ].map(report),
  );
}, 120_000);

afterAll(async () => {
  serving.child.kill('SIGTERM');
  await exitWithin(serving, 30_000, 'cctap up');
  rmSync(dir, { recursive: true, force: true });
}, 40_000);

const report = (args: string[]) => cli(['report', ...args, '--data', data, '--tz', 'UTC'], { HOME: dir });
function json<T>(r: CliResult): T {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface Activity {
  activity: Record<string, unknown>[];
  totals: Record<string, unknown>;
  period: string;
}

const MISSES_A = {
  responses: 3,
  tokens: 2000,
  byReason: {
    previous_message_not_found: { responses: 1, tokens: 0 },
    tools_changed: { responses: 2, tokens: 2000 },
  },
};
const DAY_1 = {
  sessions: 1,
  prompts: 2,
  turns: 2,
  responses: 10,
  toolCalls: 8,
  toolErrors: 1,
  denials: 1,
  activeMs: 135_000,
  filesTouched: 4,
  linesAdded: 9,
  linesRemoved: 3,
  commits: 1,
  pullRequests: 2,
  cacheMiss: MISSES_A,
};
const NO_MISSES = { responses: 0, tokens: 0, byReason: {} };
const DAY_2 = {
  sessions: 1,
  prompts: 1,
  turns: 1,
  responses: 2,
  toolCalls: 1,
  toolErrors: 0,
  denials: 0,
  activeMs: 10_000,
  filesTouched: 1,
  linesAdded: 5,
  linesRemoved: 0,
  commits: 0,
  pullRequests: 0,
  cacheMiss: NO_MISSES,
};

describe('cctap report activity', () => {
  it('--json: exact figures per day and in total, each line, response and tool use once', () => {
    const r = json<Activity>(answers[0]!);
    expect(r.period).toBe('day');
    expect(r.activity).toEqual([
      { date: '2026-11-02', period: '2026-11-02', ...DAY_1 },
      { date: '2026-11-03', period: '2026-11-03', ...DAY_2 },
    ]);
    expect(r.totals).toEqual({
      sessions: 2,
      prompts: 3,
      turns: 3,
      responses: 12,
      toolCalls: 9,
      toolErrors: 1,
      denials: 1,
      activeMs: 145_000,
      // src/cart.ts was edited on both days: one file in the total.
      filesTouched: 4,
      linesAdded: 14,
      linesRemoved: 3,
      commits: 1,
      pullRequests: 2,
      cacheMiss: MISSES_A,
    });
  });

  it('--period month --by branch, --by model, --since, --order desc', () => {
    const byBranch = json<Activity>(answers[1]!);
    const byModel = json<Activity>(answers[2]!);
    const since = json<Activity>(answers[3]!);
    expect(byBranch.activity).toEqual([
      { month: '2026-11', period: '2026-11', branch: 'feature/x', ...DAY_2 },
      { month: '2026-11', period: '2026-11', branch: 'main', ...DAY_1 },
    ]);
    expect(byModel.activity.map((x) => [x.date, x.model, x.responses])).toEqual([
      ['2026-11-03', OPUS, 2],
      ['2026-11-02', SONNET, 10],
    ]);
    expect(since.activity).toEqual([{ date: '2026-11-03', period: '2026-11-03', ...DAY_2 }]);
    expect(since.totals).toEqual(DAY_2);
  });

  it('a table with a total row and the cache-miss reasons; a bad --period is one line, exit 2', () => {
    const [table, bad] = [answers[4]!, answers[5]!];
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^Week\s+Sessions\s+Prompts\s+Turns\s+Responses\s+Tool calls/);
    expect(table.stdout).toMatch(/\n2026-11-02\s+2\s+3\s+3\s+12\s+9\s+1\s+1\s+2m 25s\s+4\s+14\s+3\s+1\s+2\s+2,000\n/);
    expect(table.stdout).toMatch(/\nTotal\s+2\s+3\s+3\s+12\s+9/);
    expect(table.stdout).toContain(
      'Prompt-cache misses: tools_changed 2 (2,000 tokens), previous_message_not_found 1 (0 tokens).',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      "cctap report: --period must be one of day, week, month, got 'year'",
    ]);
  });

  it('report session --detail and --id: tokens lost to cache misses per session, by reason', () => {
    const detail = json<{ details: { sessionId: string; cacheMiss: unknown }[] }>(answers[6]!);
    const one = json<{ cacheMiss: unknown }>(answers[7]!);
    const table = answers[8]!;
    expect(Object.fromEntries(detail.details.map((d) => [d.sessionId, d.cacheMiss]))).toEqual({
      [SESSION_A]: MISSES_A,
      'ac710170-0000-4000-8000-00000000000b': NO_MISSES,
    });
    expect(one.cacheMiss).toEqual(MISSES_A);
    expect(table.stdout).toContain(
      'Prompt-cache misses: 3 (2,000 input tokens at the full rate: previous_message_not_found 0, tools_changed 2,000)',
    );
  });
});
