/**
 * Budgets through `cctap up` as a user runs it: a rules file with a `budgets:` section, a real webhook, and a
 * transcript growing while `up` tails it. The daily budget of $0.20 sees responses of $0.055 each (1K input x
 * $5 + 2K output x $25 per MTok, claude-opus-4-5): 2 of them are 55% (the 50% alert, and at about half the day
 * a projection of about $0.23, the forecast alert), 3 are 82.5% (80%), 4 are 110% (100%). Each is told once.
 * Then `cctap report budgets --json` asks the running `up` over loopback for the same spend, with a team
 * budget read from the collector's `--labels team=payments`. After the stop, <data>/alerter/budgets.jsonl holds
 * the totals and what was told, which the next start loads (a restart itself: test/alerter/budgets-kv.test.ts,
 * on NATS KV).
 *
 * The daily budget's zone is chosen so that its day is about half gone (local time 11:xx) whenever the test
 * runs: the projection is then made (past forecastAfter) and says an overrun for 2 responses, not for 1.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@cctap/events';
import { startTestReceiver, type TestReceiver } from '@cctap/alerter/testing';
import { cli, exitWithin, startUp, waitUntil, type Up } from './support/run-cctap.js';

let dir: string;
let hook: TestReceiver;
let transcript: string;
let rules: string;
let n = 0;

/** `Etc/GMT-N` is UTC+N: the zone where it is 11:xx now. */
function zoneAtElevenNow(): string {
  const offset = Math.min(14, Math.max(-12, 11 - new Date().getUTCHours()));
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** One priced response line ($0.055), timestamped now. */
function response(): string {
  n++;
  return JSON.stringify({
    uuid: `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`,
    parentUuid: null,
    isSidechain: false,
    sessionId: 'sess-budget',
    timestamp: new Date().toISOString(),
    cwd: '/home/dev/app',
    version: '2.1.300',
    type: 'assistant',
    requestId: `req_b${n}`,
    message: {
      id: `msg_b${n}`,
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-4-5',
      content: [{ type: 'text', text: 'ok' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 1000, output_tokens: 2000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
}

const append = (count: number) => appendFileSync(transcript, `${Array.from({ length: count }, response).join('\n')}\n`);

/** Firing budget alerts of the daily budget the webhook got, as their threshold labels. */
const told = () =>
  hook.requests
    .flatMap((q) => (q.json as { alerts?: Alert[] } | null)?.alerts ?? [])
    .filter((a) => a.rule === 'budget' && a.status === 'firing' && a.labels.budget === 'day-all');

const upArgs = () => [
  '--root',
  join(dir, 'root'),
  '--data',
  join(dir, 'data'),
  '--metrics-port',
  '0',
  '--log-format',
  'json',
  '--status-seconds',
  '0',
  '--labels',
  'team=payments',
  '--rules',
  rules,
];
const env = () => ({ HOME: join(dir, 'home') });

async function waitForTold(up: Up, thresholds: string[]): Promise<Alert[]> {
  return waitUntil(
    `budget alerts ${thresholds.join(', ')}`,
    () => {
      const got = told();
      return got.length >= thresholds.length ? got : undefined;
    },
    60_000,
    () => up.stderr(),
  );
}

async function stop(up: Up): Promise<void> {
  up.child.kill('SIGTERM');
  expect(await exitWithin(up, 30_000, 'cctap up')).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-budgets-'));
  hook = await startTestReceiver();
  mkdirSync(join(dir, 'home'));
  const project = join(dir, 'root', 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  transcript = join(project, 'sess-budget.jsonl');
  writeFileSync(transcript, '');
  rules = join(dir, 'rules.yaml');
  writeFileSync(
    rules,
    [
      'rulePack: false',
      'receivers:',
      `  - { name: hook, type: webhook, url: "${hook.url}" }`,
      'budgets:',
      `  - { name: day-all, amount: 0.2, scope: everyone, period: daily, timeZone: ${zoneAtElevenNow()} }`,
      '  - { name: team-month, amount: 1000, scope: team, period: monthly }',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await hook?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('budgets through cctap up', () => {
  it('alerts at 50%, 80%, 100% and on a projected overrun, once each; report budgets agrees', async () => {
    const up = startUp(upArgs(), env());
    try {
      append(2);
      const first = await waitForTold(up, ['50%', 'forecast']);
      expect(first.map((a) => a.labels.threshold).sort()).toEqual(['50%', 'forecast']);
      const forecast = first.find((a) => a.labels.threshold === 'forecast')!;
      expect(forecast.summary).toMatch(/^budget day-all: on course for \$0\.2\d of \$0\.20 by the \d+(st|nd|rd|th)$/);
      expect(forecast.labels).toMatchObject({ budget: 'day-all', scope: 'everyone', amount: '0.2', spent: '0.11' });
      expect(Number(forecast.labels.projected)).toBeGreaterThan(0.2);
      expect(Date.parse(forecast.labels.periodEnd!)).toBeGreaterThan(Date.now());
      expect(first.find((a) => a.labels.threshold === '50%')!.evidence).toMatchObject({ value: 0.11, threshold: 0.1 });

      append(1);
      await waitForTold(up, ['50%', 'forecast', '80%']);
      append(1);
      const all = await waitForTold(up, ['50%', 'forecast', '80%', '100%']);
      expect(all.map((a) => a.labels.threshold).sort()).toEqual(['100%', '50%', '80%', 'forecast']);
      expect(all.find((a) => a.labels.threshold === '100%')!.severity).toBe('critical');

      const report = await waitUntil(
        'report budgets with all four responses',
        async () => {
          const r = await cli(['report', 'budgets', '--json', '--rules', rules, '--data', join(dir, 'data')], env());
          if (r.code !== 0) throw new Error(`report budgets failed (${r.code}): ${r.stderr}`);
          const json = JSON.parse(r.stdout) as { budgets: Record<string, unknown>[]; priceBook: string | null };
          return json.budgets.find((b) => b.budget === 'day-all')?.spent === 0.22 ? json : undefined;
        },
        30_000,
        () => up.stderr(),
      );
      const day = report.budgets.find((b) => b.budget === 'day-all')!;
      expect(day).toMatchObject({ scope: 'everyone', subject: 'everyone', amount: 0.2, percent: 110 });
      expect(day.overrunProjected).toBe(false);
      expect(report.budgets.find((b) => b.budget === 'team-month')).toMatchObject({
        scope: 'team',
        subject: 'payments',
        spent: 0.22,
        amount: 1000,
        overrunProjected: false,
      });
      expect(report.priceBook).not.toBeNull();
      const table = await cli(['report', 'budgets', '--rules', rules, '--data', join(dir, 'data')], {
        ...env(),
        COLUMNS: '160',
      });
      expect(table.code).toBe(0);
      const lines = table.stdout.split('\n');
      expect(lines.find((l) => l.includes('day-all'))).toMatch(/everyone.*\$0\.22.*\$0\.20.*110\.0%.*OVER/);
      expect(lines.find((l) => l.includes('team-month'))).toMatch(/payments.*\$0\.22.*\$1,000.*0\.0%/);
    } finally {
      await stop(up);
    }
    // Nothing was told twice.
    expect(
      told()
        .map((a) => a.labels.threshold)
        .sort(),
    ).toEqual(['100%', '50%', '80%', 'forecast']);
    // What a restart of up starts from: the totals and what was told, kept next to its alert files.
    type Kept = { budget: string; subject: string; spent: number; told: string[] };
    const kept = new Map<string, Kept>();
    for (const line of readFileSync(join(dir, 'data', 'alerter', 'budgets.jsonl'), 'utf8').split('\n')) {
      if (!line) continue;
      const l = JSON.parse(line) as { k: string; v?: Kept };
      if (l.v) kept.set(l.k, l.v);
      else kept.delete(l.k);
    }
    expect(
      [...kept.values()].map((v) => [v.budget, v.subject, Math.round(v.spent * 1e6) / 1e6, [...v.told].sort()]).sort(),
    ).toEqual([
      ['day-all', 'everyone', 0.22, ['100%', '50%', '80%', 'forecast']],
      ['team-month', 'payments', 0.22, []],
    ]);
  }, 150_000);

  it('refuses a bad budget with one line per problem, and budgets without --rules', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'budgets:\n  - { name: x, amount: -5, scope: team, period: yearly }\n');
    const r = await cli(['report', 'budgets', '--rules', bad, '--data', join(dir, 'data')], env());
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('budget "x" (budgets[0]) field amount: a positive amount of USD');
    expect(r.stderr).toContain('budget "x" (budgets[0]) field period:');
    const none = await cli(['report', 'budgets', '--data', join(dir, 'data')], env());
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe(
      'cctap report: budgets needs --rules FILE (or CCTAP_RULES): the alerter rules file with budgets:',
    );
  });
});
