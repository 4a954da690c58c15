/**
 * Alerts through `cctap up` as a user runs it (the built CLI, the in-process bus, the embedded store) and a
 * real HTTP receiver:
 *   - alerts pending when `up` stops (the receiver failing) are kept in the data directory, named at
 *     shutdown, and delivered by the next `up`; `cctap alerts list|silence|test` work on that `up`;
 *   - a storm (300 sessions running `rm -rf /`, twice each) against a receiver that never answers:
 *     `up --once` stores everything regardless, the receiver's cap turns the storm into a bounded number of
 *     requests with a summary, and after a restart every alert is accounted for.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@cctap/events';
import { startTestReceiver, type ReceivedRequest, type TestReceiver } from '@cctap/alerter/testing';
import { waitFor } from '../support/wait-for.js';
import { writeDangerousSessions } from './support/dangerous-sessions.js';
import { cli, startUp, type Up } from './support/run-cctap.js';
import { upSummary } from './support/up-summary.js';

let dir: string;
let hook: TestReceiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-alerts-'));
  hook = await startTestReceiver();
});
afterAll(async () => {
  await hook?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const alertsOf = (reqs: readonly ReceivedRequest[]) =>
  reqs.flatMap((q) => (q.json as { alerts?: Alert[] } | null)?.alerts ?? []);
const answered = () => hook.requests.filter((q) => q.status === 200);

async function stop(up: Up): Promise<string> {
  up.child.kill('SIGTERM');
  expect(await up.exit).toBe(0);
  return up.stdout();
}

describe('alerts in cctap up', () => {
  it('keeps alerts a failing receiver did not take across a restart, says so at shutdown, and serves cctap alerts', async () => {
    const root = join(dir, 'a', 'claude');
    const data = join(dir, 'a', 'data');
    const sessions = writeDangerousSessions(root, 20);
    const args = [
      '--root',
      root,
      '--data',
      data,
      '--metrics-port',
      '0',
      '--status-seconds',
      '0',
      '--webhook-url',
      hook.url,
    ];
    const env = { HOME: join(dir, 'a') };
    hook.requests.length = 0;
    hook.respond = () => ({ status: 500 });

    const first = await cli(['up', '--once', ...args], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `alerts: 20 deliveries still pending (kept in ${join(data, 'alerter', 'alerts.jsonl')}; sent when cctap up starts again)`,
    );
    expect(hook.requests.length).toBeGreaterThan(0);
    expect(answered()).toHaveLength(0);
    expect(statSync(join(data, 'alerter', 'alerts.jsonl')).mode & 0o777).toBe(0o600);

    // No `up` runs: `cctap alerts` reads the data directory's files.
    const offline = JSON.parse((await cli(['alerts', 'list', '--json', '--data', data], env)).stdout) as {
      alerts: { labels: Record<string, string>; deliveries: Record<string, { state: string }> }[];
    };
    expect(offline.alerts.map((a) => a.deliveries.webhook?.state)).toEqual(Array(20).fill('pending'));

    hook.respond = () => ({ status: 200 });
    const up = startUp(['--log-format', 'json', ...args], env);
    try {
      await waitFor(
        'the 20 alerts delivered after the restart',
        () => new Set(alertsOf(answered()).map((a) => a.sessionId)).size === 20,
        60_000,
        100,
      );
      expect(new Set(alertsOf(answered()).map((a) => a.sessionId))).toEqual(new Set(sessions));

      // `cctap alerts` on the running `up`, over its loopback endpoint.
      const listed = await waitFor(
        'alerts list over loopback',
        async () => {
          const r = await cli(['alerts', 'list', '--data', data], env);
          return r.code === 0 && (r.stdout.match(/webhook:sent/g) ?? []).length === 20 ? r.stdout : undefined;
        },
        30_000,
        250,
      );
      expect(listed).toContain('20 alert(s):');
      const silenced = await cli(
        [
          'alerts',
          'silence',
          '--match',
          'rule=dangerous-command,host=/^ci-/',
          '--for',
          '1h',
          '--comment',
          'ci boxes',
          '--data',
          data,
        ],
        env,
      );
      expect(silenced.code, silenced.stderr).toBe(0);
      expect((await cli(['alerts', 'list', '--data', data], env)).stdout).toMatch(
        /1 active silence\(s\):\n\s+s-[0-9a-f]+\s+rule=dangerous-command,host=\/\^ci-\/.*ci boxes/,
      );
      const tested = await cli(['alerts', 'test', '--receiver', 'webhook', '--data', data], env);
      expect(tested.stdout, tested.stderr).toContain('test notification delivered to webhook (HTTP 200)');
      expect(alertsOf(hook.requests).some((a) => a.rule === 'test-notification')).toBe(true);
    } finally {
      const out = await stop(up);
      expect(out).not.toContain('still pending');
    }
    // The silence was written by `up` into its file: still there for the next reader.
    expect((await cli(['alerts', 'list', '--data', data], env)).stdout).toContain('ci boxes');
  }, 240_000);

  it('a storm against a receiver that never answers: the backfill completes, the cap bounds the requests, a restart accounts for every alert', async () => {
    const root = join(dir, 'b', 'claude');
    const data = join(dir, 'b', 'data');
    const SESSIONS = 300;
    writeDangerousSessions(root, SESSIONS, 2);
    const rules = join(dir, 'b', 'rules.yaml');
    writeFileSync(
      rules,
      `receivers:\n  - { name: ops, type: webhook, url: "${hook.url}", timeout: 5s, cap: { alerts: 50, window: 1h, summaryInterval: 1s } }\n`,
    );
    const args = [
      '--root',
      root,
      '--data',
      data,
      '--metrics-port',
      '0',
      '--status-seconds',
      '0',
      '--log-format',
      'json',
      '--rules',
      rules,
    ];
    const env = { HOME: join(dir, 'b') };
    hook.requests.length = 0;
    // Never answered while the backfill runs: if alerting held ingestion back, `--once` could not finish.
    hook.respond = () => ({ status: 503, delayMs: 600_000 });

    const first = await cli(['up', '--once', ...args], env);
    expect(first.code, first.stderr).toBe(0);
    const summary = upSummary<{
      store: { sessions: number; events: number };
      alertsPending: { toSend: number; toSummarize: number };
    }>(first.stdout);
    // Per session: the prompt, and per command the response and its tool call.
    expect(summary.store).toMatchObject({ sessions: SESSIONS, events: SESSIONS * 5 });
    // Nothing was answered: every alert is still owed, to send or (past the cap) to count in a summary.
    expect(summary.alertsPending.toSend + summary.alertsPending.toSummarize).toBe(SESSIONS);
    expect(answered()).toHaveLength(0);
    const duringBackfill = hook.requests.length;
    expect(duringBackfill).toBeGreaterThan(0);

    hook.respond = () => ({ status: 200 });
    const up = startUp(args, env);
    try {
      // Every alert is accounted for in the alert state `up` serves: sent, or told in a summary.
      type Listed = { alerts: { deliveries: Record<string, { state: string }> }[] };
      const states = await waitFor(
        'every alert sent or summarized',
        async () => {
          const r = await cli(['alerts', 'list', '--json', '--data', data], env);
          if (r.code !== 0) return undefined;
          const count: Record<string, number> = {};
          for (const a of (JSON.parse(r.stdout) as Listed).alerts) {
            const st = a.deliveries.ops?.state ?? 'none';
            count[st] = (count[st] ?? 0) + 1;
          }
          return (count.sent ?? 0) + (count.summarized ?? 0) === SESSIONS ? count : undefined;
        },
        90_000,
        500,
      );
      expect(states).toEqual({ sent: 50, summarized: SESSIONS - 50 });
      const got = alertsOf(answered()).filter((a) => a.rule === 'dangerous-command');
      const single = got.filter((a) => a.labels.suppressed === undefined);
      const summaries = got.filter((a) => a.labels.suppressed !== undefined);
      expect(new Set(single.map((a) => a.sessionId)).size).toBe(50);
      expect(summaries.length).toBeGreaterThan(0);
      expect(summaries[0]!.summary).toMatch(/^\d+ more alerts of rule dangerous-command suppressed/);
      // Summaries count what was suppressed up to their moment; together they cover every suppressed alert.
      expect(summaries.reduce((n, a) => n + a.occurrences, 0)).toBeGreaterThanOrEqual(SESSIONS - 50);
      // A request for the first 50 and the summary (a retry or two at most).
      expect(answered().length).toBeLessThanOrEqual(4);
    } finally {
      const out = await stop(up);
      expect(out).toContain('"alertsPending":{"toSend":0,"toSummarize":0}');
    }
    expect(hook.requests.length - duringBackfill).toBeLessThanOrEqual(4);
  }, 300_000);
});
