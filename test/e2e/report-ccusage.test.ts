/**
 * `cctap report` as a ccusage user types it: ccusage's flags and short flags, its defaults (the machine's time
 * zone, periods oldest first, sessions by cost), its JSON key sets, and tables that fit the terminal, on a store
 * that a running `cctap up` fills from a Claude Code tree. The reports ask that `up` over loopback, so the
 * commands of one check run side by side.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, exitWithin, startUp, waitUntil, type Up } from './support/run-cctap.js';

let dir: string;
let data: string;
let up: Up;
const APP = '/home/dev/app';
const API = '/home/dev/work/customers/enterprise-billing-platform/services/api';
const S_APP = '5e1a0c2e-2026-4a5b-9c3d-00000000a001';
const S_API = '5e1a0c2e-2026-4a5b-9c3d-00000000b002';
const S_NOW = '5e1a0c2e-2026-4a5b-9c3d-00000000c003';
const NOW = Date.now();

let n = 0;
function assistant(session: string, cwd: string, ts: string, model: string, input: number, output: number) {
  n++;
  const uuid = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    isSidechain: false,
    userType: 'external',
    cwd,
    sessionId: session,
    version: '2.1.182',
    gitBranch: 'main',
    type: 'assistant',
    uuid,
    parentUuid: null,
    timestamp: ts,
    requestId: `req_${n}`,
    message: {
      id: `msg_${n}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: 'x' }],
      stop_reason: 'end_turn',
      usage: {
        input_tokens: input,
        output_tokens: output,
        cache_creation_input_tokens: 10,
        cache_read_input_tokens: 100,
      },
    },
  };
}

function write(root: string, folder: string, session: string, lines: object[]): void {
  const p = join(root, 'projects', folder);
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, `${session}.jsonl`), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
}

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  cli(['report', ...args, '--data', data], { HOME: dir, TZ: 'UTC', ...env });
async function json<T>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const r = await run([...args, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface Row {
  date?: string;
  week?: string;
  period: string;
  totalCost: number;
  modelsUsed: string[];
  modelBreakdowns: { modelName: string }[];
  [k: string]: unknown;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-report-ccusage-'));
  const root = join(dir, 'claude');
  // The app session starts in APP, then works in a subdirectory: its project stays APP. Its last line is at
  // 23:30 UTC on the 21st, the 22nd in Tokyo.
  write(root, '-home-dev-app', S_APP, [
    assistant(S_APP, APP, '2026-06-20T09:00:00.000Z', 'claude-opus-4-8', 1000, 100),
    assistant(S_APP, APP, '2026-06-20T09:10:00.000Z', 'claude-sonnet-4-6', 2000, 200),
    assistant(S_APP, `${APP}/packages/web`, '2026-06-21T23:30:00.000Z', 'claude-opus-4-8', 3000, 300),
  ]);
  // The api session costs more (opus, more tokens), on Tuesday 2026-06-23.
  write(root, '-home-dev-work-customers-enterprise-billing-platform-services-api', S_API, [
    assistant(S_API, API, '2026-06-23T10:00:00.000Z', 'claude-opus-4-8', 50_000, 5000),
  ]);
  // A session running now: the active block.
  write(root, '-home-dev-app', S_NOW, [
    assistant(S_NOW, APP, new Date(NOW - 40 * 60_000).toISOString(), 'claude-sonnet-4-6', 100, 10),
    assistant(S_NOW, APP, new Date(NOW - 20 * 60_000).toISOString(), 'claude-sonnet-4-6', 100, 10),
  ]);
  data = join(dir, 'data');
  up = startUp(['--root', root, '--data', data, '--metrics-port', '0', '--quiet'], { HOME: dir });
  // The store is up's from its start: no report may open it first.
  await waitUntil(
    'up.json',
    () => (existsSync(join(data, 'up.json')) ? true : undefined),
    60_000,
    () => up.stderr(),
  );
  await waitUntil(
    'all usage in the store',
    async () => {
      const r = await run(['daily', '--json']);
      return r.code === 0 && (JSON.parse(r.stdout) as { totals: { inputTokens: number } }).totals.inputTokens === 56_200
        ? true
        : undefined;
    },
    90_000,
    () => up.stderr(),
  );
}, 120_000);

afterAll(async () => {
  up.child.kill('SIGTERM');
  await exitWithin(up, 30_000, 'cctap up');
  rmSync(dir, { recursive: true, force: true });
}, 40_000);

describe('cctap report with ccusage flags', () => {
  it('flags, short flags, defaults and JSON key sets', async () => {
    const window = ['-s', '20260620', '-u', '20260623'];
    const [long, short, folder, inst, tokyo, sessions, ascending, weeks, monthly, one, active, recent, all] =
      await Promise.all([
        // In Tokyo the 23:30 UTC line is on the 22nd: -z UTC must win over the machine's zone.
        json<{ daily: Row[] }>(
          [
            'daily',
            '--since',
            '20260620',
            '--until',
            '20260623',
            '--timezone',
            'UTC',
            '--order',
            'desc',
            '--breakdown',
            '--project',
            'app',
          ],
          { TZ: 'Asia/Tokyo' },
        ),
        json<{ daily: Row[] }>(
          ['daily', '-s', '20260620', '-u', '20260623', '-z', 'UTC', '-o', 'desc', '-b', '-p', 'app'],
          { TZ: 'Asia/Tokyo' },
        ),
        json<{ daily: Row[] }>(['daily', ...window, '--project=-home-dev-app', '--tz', 'UTC']),
        json<{ projects: Record<string, Row[]> }>(['daily', '-i', ...window]),
        json<{ daily: Row[] }>(['daily', ...window], { TZ: 'Asia/Tokyo' }),
        json<{ sessions: Row[] }>(['session', ...window], { TZ: 'Asia/Tokyo' }),
        json<{ sessions: Row[] }>(['session', ...window, '--order', 'asc']),
        json<{ weekly: Row[] }>(['weekly', '-w', 'wednesday', ...window]),
        json<{ monthly: Row[] }>(['monthly']),
        json<{ sessionId: string; totalTokens: number; entries: { model: string; inputTokens: number }[] }>([
          'session',
          '-i',
          S_APP,
        ]),
        json<{
          blocks: { isActive: boolean; entries: number; tokenLimitStatus?: { limit: number; status: string } }[];
        }>(['blocks', '-a', '-t', 'max']),
        json<{ blocks: { startTime: string }[] }>(['blocks', '--recent']),
        json<{ blocks: object[] }>(['blocks']),
      ]);
    // Short flags are ccusage's; app only (the api session is left out), newest first, one row per model below.
    expect(short).toEqual(long);
    expect(long.daily.map((d) => d.date)).toEqual(['2026-06-21', '2026-06-20']);
    // The project by Claude Code's folder name (a ccusage -p value); its subdirectory's line stays in it.
    expect(folder.daily.map((d) => d.date)).toEqual(['2026-06-20', '2026-06-21']);
    // -i: ccusage's `projects` map, by the project each session started in.
    expect(Object.keys(inst.projects).sort()).toEqual([APP, API]);
    expect(inst.projects[APP]!.map((r) => r.date)).toEqual(['2026-06-20', '2026-06-21']);
    // The machine's zone by default.
    expect(tokyo.daily.map((d) => d.date)).toEqual(['2026-06-20', '2026-06-22', '2026-06-23']);
    // Sessions: by cost, highest first (--order asc: lowest first); the project is where the session started.
    expect(sessions.sessions.map((x) => x.sessionId)).toEqual([S_API, S_APP]);
    expect(sessions.sessions.map((x) => x.projectPath)).toEqual([API, APP]);
    expect(sessions.sessions.map((x) => x.lastActivity)).toEqual(['2026-06-23', '2026-06-22']);
    expect(ascending.sessions.map((x) => x.sessionId)).toEqual([S_APP, S_API]);
    // Weeks start on any day: Sat 20th to Tue 23rd are all in the week from Wednesday the 17th.
    expect(weeks.weekly.map((w) => w.week)).toEqual(['2026-06-17']);
    // session --id: each API response.
    expect(one.sessionId).toBe(S_APP);
    expect(one.entries.map((e) => e.inputTokens)).toEqual([1000, 2000, 3000]);
    expect(one.totalTokens).toBe(6000 + 600 + 3 * 110);
    // blocks: the active one, its projection against the largest finished block (the api one); --recent.
    expect(active.blocks).toHaveLength(1);
    expect(active.blocks[0]!.entries).toBe(2);
    expect(active.blocks[0]!.tokenLimitStatus).toMatchObject({ limit: 55_110, status: 'ok' });
    expect(recent.blocks.length).toBeGreaterThan(0);
    expect(recent.blocks.every((b) => Date.parse(b.startTime) > NOW - 3 * 86_400_000)).toBe(true);
    expect(all.blocks.length).toBeGreaterThan(recent.blocks.length);

    // JSON: ccusage's key sets (json-output-types, data-loader types), cctap's fields only added.
    const keys = (o: object) => Object.keys(o);
    const PERIOD = [
      'inputTokens',
      'outputTokens',
      'cacheCreationTokens',
      'cacheReadTokens',
      'totalTokens',
      'totalCost',
      'modelsUsed',
      'modelBreakdowns',
    ];
    const BREAKDOWN = ['modelName', 'inputTokens', 'outputTokens', 'cacheCreationTokens', 'cacheReadTokens', 'cost'];
    const TOTALS = [
      'inputTokens',
      'outputTokens',
      'cacheCreationTokens',
      'cacheReadTokens',
      'totalCost',
      'totalTokens',
    ];
    const lists: [string, Record<string, unknown>, string, string][] = [
      ['daily', long, 'daily', 'date'],
      ['weekly', weeks, 'weekly', 'week'],
      ['monthly', monthly, 'monthly', 'month'],
      ['session', sessions, 'sessions', 'sessionId'],
    ];
    for (const [kind, out, list, key] of lists) {
      const row = (out[list] as Row[])[0]!;
      expect(keys(row), kind).toEqual(
        expect.arrayContaining([key, ...PERIOD, ...(kind === 'session' ? ['lastActivity', 'projectPath'] : [])]),
      );
      expect(keys(row.modelBreakdowns[0]!), kind).toEqual(expect.arrayContaining(BREAKDOWN));
      expect(keys(out.totals as object), kind).toEqual(expect.arrayContaining(TOTALS));
    }
    expect(keys(inst)).toEqual(expect.arrayContaining(['projects', 'totals']));
    expect(keys(all.blocks[0]!)).toEqual(
      expect.arrayContaining([
        'id',
        'startTime',
        'endTime',
        'actualEndTime',
        'isActive',
        'isGap',
        'entries',
        'tokenCounts',
        'totalTokens',
        'costUSD',
        'models',
        'burnRate',
        'projection',
      ]),
    );
    expect(keys(one)).toEqual(expect.arrayContaining(['sessionId', 'totalCost', 'totalTokens', 'entries']));
    expect(keys(one.entries[0]!)).toEqual(
      expect.arrayContaining([
        'timestamp',
        'inputTokens',
        'outputTokens',
        'cacheCreationTokens',
        'cacheReadTokens',
        'model',
        'costUSD',
      ]),
    );
  }, 90_000);

  it('tables: fit the terminal, short model names, breakdown rows, zones, colour only when asked or on a terminal', async () => {
    const args = ['session', '-s', '20260620', '-u', '20260623', '--breakdown'];
    const [wide, narrow, compact, blocks, activeTable, entries, instances, activeView] = await Promise.all([
      run(args, { COLUMNS: '200' }),
      run(args, { COLUMNS: '80', FORCE_COLOR: '1' }),
      run(['daily', '--compact', '--no-color'], { COLUMNS: '200', FORCE_COLOR: '1' }),
      run(['blocks', '-s', '20260620', '-u', '20260622', '--tz', 'Asia/Tokyo', '-n', '2']),
      run(['blocks', '--recent', '--token-limit', '1000', '--color'], { COLUMNS: '140', NO_COLOR: '1' }),
      run(['session', '--id', S_APP]),
      run(['daily', '-i', '-s', '20260620', '-u', '20260623'], { COLUMNS: '120' }),
      run(['blocks', '--active', '--token-limit', '1000']),
    ]);
    for (const r of [wide, narrow, compact, blocks, activeTable, entries, instances, activeView])
      expect(r.code, r.stderr).toBe(0);
    expect(wide.stdout).toContain('Cache Create');
    expect(wide.stdout).toContain('└─ opus-4-8');
    expect(wide.stdout).toContain('- sonnet-4-6');
    expect(wide.stdout).not.toContain('claude-opus-4-8');
    expect(wide.stdout).toMatch(/│ Project +│/);
    expect(wide.stdout).toContain(API);
    // Not a terminal: no colour, unless FORCE_COLOR or --color; --no-color wins over FORCE_COLOR.
    expect(wide.stdout).not.toContain('\u001b[');
    expect(narrow.stdout).toContain('\u001b[');
    const plain = stripVTControlCharacters(narrow.stdout);
    const lines = plain.split('\n').filter((l) => /^[┌│├└]/.test(l));
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(plain).not.toContain('Cache Create');
    expect(plain).toContain('…orm/services/api');
    expect(plain).toContain('compact view');
    expect(compact.stdout).not.toContain('Cache Create');
    expect(compact.stdout).not.toContain('\u001b[');
    // Blocks: times in the zone asked for (09:00 UTC is 18:00 in Tokyo), 2-hour blocks.
    expect(blocks.stdout).toContain('2026-06-20 18:00 (0h 10m)');
    expect(blocks.stdout).toContain('(2-hour blocks, times in Asia/Tokyo)');
    expect(activeTable.stdout).toContain('\u001b[');
    for (const w of ['ACTIVE', 'REMAINING', 'PROJECTED', '(assuming 1,000 token limit)'])
      expect(activeTable.stdout).toContain(w);
    // --active: ccusage's view of the running block (440 tokens so far, projected past 1,000 in its 5 hours).
    for (const w of [
      'Current Session Block Status',
      '  Total Tokens:     440',
      'Token Limit Status:',
      '  Limit:            1,000 tokens',
      'EXCEEDS LIMIT',
    ]) {
      expect(activeView.stdout).toContain(w);
    }
    expect(entries.stdout).toContain('Total Entries: 3');
    expect(entries.stdout).toContain('│ opus-4-8 ');
    // --instances: a heading row per project across the table; the date column keeps its width.
    expect(instances.stdout).toMatch(/^│ Project: \/home\/dev\/app +│$/m);
    expect(instances.stdout).toContain('│ Date       │');
    expect(instances.stdout).toContain('Cache Create');
  }, 90_000);

  it('an unknown or misplaced flag is one line and exit 2; no usage is one line, as ccusage', async () => {
    const [typo, misplaced, both, none] = await Promise.all([
      run(['daily', '--brekdown']),
      run(['daily', '--active']),
      run(['daily', '-i', '--by', 'host']),
      run(['daily', '-s', '20300101']),
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim().split('\n')).toHaveLength(1);
    expect(typo.stderr).toContain('did you mean --breakdown?');
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr.trim()).toBe('cctap report: --active goes with `cctap report blocks`');
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe('cctap report: --instances groups by project already; leave out --by');
    expect(none.code).toBe(0);
    expect(none.stdout.split('\n')[0]).toBe('No Claude usage data found.');
  }, 30_000);
});
