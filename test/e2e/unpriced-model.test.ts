/**
 * A model the price book does not know is loud, through `cctap up` as a user runs it: the alerter's shipped
 * `unpriced-model` rule notifies a real webhook once for it, and the analyzer counts its responses in
 * /metrics. Given a price file that prices the model (`--prices`), the same session is costed instead: the
 * analyzer and the alerter load the same merged book as the store.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@cctap/events';
import { startTestReceiver, type TestReceiver } from '@cctap/alerter/testing';
import { cli, waitUntil, startUp, type Up } from './support/run-cctap.js';

let dir: string;
let hook: TestReceiver;

/** A session answered by an unknown model (three responses) and a priced one, timestamped now. */
function writeSession(root: string, name: string): void {
  const project = join(root, 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  const t0 = Date.now() - 60_000;
  const ts = (i: number) => new Date(t0 + i * 1000).toISOString();
  const base = (i: number) => ({
    uuid: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`,
    parentUuid: null,
    isSidechain: false,
    sessionId: name,
    timestamp: ts(i),
    cwd: '/home/dev/app',
    version: '2.1.300',
  });
  const assistant = (i: number, model: string) => ({
    ...base(i),
    type: 'assistant',
    requestId: `req_${i}`,
    message: {
      id: `msg_${i}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: 'ok' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 1000, output_tokens: 2000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
  const lines = [
    { ...base(0), type: 'user', message: { role: 'user', content: 'hello' } },
    assistant(1, 'claude-opus-4-9'),
    assistant(2, 'claude-opus-4-9'),
    assistant(3, 'claude-opus-4-9'),
    assistant(4, 'claude-opus-4-5'),
  ];
  writeFileSync(join(project, `${name}.jsonl`), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
}

async function metricsOf(up: Up): Promise<string | undefined> {
  const port = /"msg":"probe server listening","port":(\d+)/.exec(up.stderr())?.[1];
  if (!port) return undefined;
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** The value of the first series of `name` whose labels include model="<model>" (or all of `labels`), or undefined. */
function seriesValue(metrics: string, name: string, model: string | Record<string, string>): number | undefined {
  const labels = Object.entries(typeof model === 'string' ? { model } : model).map(([k, v]) => `${k}="${v}"`);
  for (const line of metrics.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m?.[1] === name && labels.every((l) => m[2]!.split(',').includes(l))) return Number(m[3]);
  }
  return undefined;
}

async function stop(up: Up): Promise<void> {
  up.child.kill('SIGTERM');
  await up.exit;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-unpriced-'));
  hook = await startTestReceiver();
});
afterAll(async () => {
  await hook?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const upArgs = (name: string) => [
  '--root',
  join(dir, name),
  '--data',
  join(dir, `${name}-data`),
  '--metrics-port',
  '0',
  '--log-format',
  'json',
  '--status-seconds',
  '0',
  '--webhook-url',
  hook.url,
];
const home = (name: string) => ({ HOME: join(dir, `${name}-home`) });

describe('an unpriced model through cctap up', () => {
  it('alerts once for the model and counts its responses in the analyzer metrics', async () => {
    writeSession(join(dir, 'a'), 'sess-unpriced');
    mkdirSync(join(dir, 'a-home'));
    const up = startUp(upArgs('a'), home('a'));
    try {
      const alerts = await waitUntil(
        'the unpriced-model alert',
        async () => {
          const got = hook.requests
            .flatMap((q) => (q.json as { alerts?: Alert[] } | null)?.alerts ?? [])
            .filter((a) => a.rule === 'unpriced-model');
          return got.length > 0 ? got : undefined;
        },
        60_000,
        () => up.stderr(),
      );
      const metrics = await waitUntil(
        'the analyzer counter',
        async () => {
          const m = await metricsOf(up);
          return m && seriesValue(m, 'cctap_analyzer_unpriced_responses_total', 'claude-opus-4-9') === 3
            ? m
            : undefined;
        },
        30_000,
        () => up.stderr(),
      );
      expect(alerts.map((a) => [a.status, a.labels['payload.model']])).toEqual([['firing', 'claude-opus-4-9']]);
      expect(seriesValue(metrics, 'cctap_analyzer_unpriced_responses_total', 'claude-opus-4-5')).toBeUndefined();
      // The priced response is costed by the analyzer: 1K input x $5 + 2K output x $25 per MTok.
      expect(seriesValue(metrics, 'cctap_analyzer_cost_usd_total', 'claude-opus-4-5')).toBeCloseTo(0.055, 9);
      // Every unpriced response was matched (the alerter decides at once whether a match notifies), and only
      // the first one notified.
      const signals = { rule: 'unpriced-model', status: 'firing' };
      const decided = await waitUntil(
        'the alerter matched all three unpriced responses',
        async () => {
          const m = await metricsOf(up);
          return m && seriesValue(m, 'cctap_alerter_signals_total', signals) === 3 ? m : undefined;
        },
        30_000,
        () => up.stderr(),
      );
      expect(seriesValue(decided, 'cctap_alerter_notifications_total', signals)).toBe(1);
      expect(
        hook.requests
          .flatMap((q) => (q.json as { alerts?: Alert[] } | null)?.alerts ?? [])
          .filter((a) => a.rule === 'unpriced-model'),
      ).toHaveLength(1);
    } finally {
      await stop(up);
    }
  }, 120_000);

  it('prices the model from --prices in the analyzer too', async () => {
    writeSession(join(dir, 'b'), 'sess-priced');
    mkdirSync(join(dir, 'b-home'));
    const file = join(dir, 'prices.yaml');
    writeFileSync(file, 'models:\n  claude-opus-4-9:\n    rates: { input: 6, output: 30 }\n');
    const up = startUp([...upArgs('b'), '--prices', file], home('b'));
    try {
      // 3 responses x (1K input x $6 + 2K output x $30 per MTok) = $0.198
      const metrics = await waitUntil(
        'the cost of the newly priced model',
        async () => {
          const m = await metricsOf(up);
          const usd = m ? seriesValue(m, 'cctap_analyzer_cost_usd_total', 'claude-opus-4-9') : undefined;
          return m && usd !== undefined && Math.abs(usd - 0.198) < 1e-9 ? m : undefined;
        },
        60_000,
        () => up.stderr(),
      );
      expect(seriesValue(metrics, 'cctap_analyzer_unpriced_responses_total', 'claude-opus-4-9')).toBeUndefined();
    } finally {
      await stop(up);
    }
  }, 120_000);

  it.each(['analyzer', 'alerter'])('cctap %s refuses a bad price file with one line', async (command) => {
    const bad = join(dir, 'bad-prices.yaml');
    writeFileSync(bad, 'models:\n  claude-opus-4-9:\n    rates: { input: lots }\n');
    const r = await cli([command, '--nats', 'nats://127.0.0.1:1', '--prices', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `cctap ${command}: prices file ${bad}: models.claude-opus-4-9.rates.input: Invalid input: expected number, received string`,
    );
  });
});
