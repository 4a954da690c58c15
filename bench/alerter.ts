/**
 * Alerter latency: `npm run bench:alerter` (= tsc -b && node bench/dist/alerter.js).
 *
 * What is timed: a batch of events ending with a dangerous Bash command is published on the in-process bus
 * (the bus of single-process mode) -> the alerter consumes it, evaluates the shipped rule pack, records the
 * alert, and POSTs it -> a real HTTP receiver on 127.0.0.1 gets the request. The collector and validator hops
 * of single-process mode are not in this path (they are measured in their own sections).
 *
 * Each run sends N batches one after another (each one a new session, so a new alert, notified at once by
 * the pack's `groupWait: 0s`), 200 harmless events per batch in front of the dangerous one; a run reports its
 * p50, p99 and max. Five runs after a warm-up; the section reports the median and spread of the runs' p99.
 *
 * Flags: --runs 5 --n 200 --filler 200 --no-doc
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCHEMA_VERSION, batchMsgId, topology, type CctapEvent } from '@cctap/events';
import { createInProcessBus } from '@cctap/kit';
import { buildRuleSet, createAlerter } from '@cctap/alerter';
import { bashCall, fileCall, makeEvent, startTestReceiver } from '@cctap/alerter/testing';
import { metric } from './support/bench-result.js';
import { describeMachine } from './support/machine.js';
import { npmCommand, publishResult } from './support/publish-result.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    n: { type: 'string', default: '200' },
    filler: { type: 'string', default: '200' },
    'no-doc': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const N = Number(values.n);
const FILLER = Number(values.filler);
const GOAL_P99_MS = 2000;

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function oneRun(n: number, runIndex: number): Promise<{ p50: number; p99: number; max: number }> {
  const t = topology(`bench${runIndex}`);
  const bus = createInProcessBus({ topology: t, consumers: ['alerter-events', 'alerter-derived'] });
  const hook = await startTestReceiver();
  const alerter = createAlerter({
    bus,
    topology: t,
    rules: buildRuleSet(
      { receivers: [{ name: 'hook', type: 'webhook', url: hook.url, secret: 'bench-secret-0123456789' }] },
      { env: {} },
    ),
  });
  await alerter.start();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const session = `bench-${runIndex}-${i}`;
      const events: CctapEvent[] = [];
      for (let k = 0; k < FILLER; k++) {
        events.push(
          k % 3 === 0
            ? bashCall(`ls -la src/${k}`, { sessionId: session })
            : k % 3 === 1
              ? fileCall('Read', `/repo/src/f${k}.ts`, { sessionId: session })
              : makeEvent('assistant', {}, { sessionId: session }),
        );
      }
      events.push(bashCall(`cd /tmp && rm -rf "$HOME"`, { sessionId: session }));
      const body = new TextEncoder().encode(
        JSON.stringify({
          v: SCHEMA_VERSION,
          host: 'dev-laptop',
          source: { path: '/x.jsonl', fileId: session, from: 0, to: 1 },
          events,
        }),
      );
      const received = new Promise<number>((resolve) => {
        hook.onRequest = () => resolve(performance.now());
      });
      const t0 = performance.now();
      await bus.publish(t.subjects.events('dev-laptop'), body, { msgId: batchMsgId('dev-laptop', session, 0, 1) });
      latencies.push((await received) - t0);
    }
  } finally {
    await alerter.stop();
    await bus.close();
    await hook.close();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: pct(sorted, 50), p99: pct(sorted, 99), max: sorted[sorted.length - 1]! };
}

await oneRun(Math.min(50, N), 99); // warm-up
const runs = [];
for (let r = 0; r < RUNS; r++) runs.push(await oneRun(N, r));
const m = describeMachine();
const f = (x: number) => x.toFixed(1);
const details = [
  `- Path: batch published on the in-process bus (${FILLER} harmless events + \`rm -rf "$HOME"\`) -> alerter (shipped rule pack, in-memory state store behind the same interface as the KV one) -> signed webhook POST received by a node:http server on 127.0.0.1. Collector and validator hops not included.`,
  `- ${RUNS} runs of ${N} alerts each after a warm-up; per run: ${runs.map((r) => `p50 ${f(r.p50)} / p99 ${f(r.p99)} / max ${f(r.max)} ms`).join('; ')}`,
  `- Goal: the alerter's share of "line appended -> webhook ≤ ${GOAL_P99_MS} ms p99" (single-process mode).`,
].join('\n');
console.log(details);
writeFileSync(
  fileURLToPath(new URL('../out/alerter-results.json', import.meta.url)),
  JSON.stringify({ machine: m, runs }, null, 2),
);
publishResult({
  id: 'alerter',
  command: npmCommand('bench:alerter'),
  metrics: [
    metric({
      id: 'p99',
      title: 'Event in → webhook received, p99',
      metric: `one run's p99 over ${N} alerts`,
      unit: 'ms',
      samples: runs.map((r) => r.p99),
      goal: { op: '<=', value: GOAL_P99_MS, source: "alerter's share of append → webhook" },
    }),
    metric({
      id: 'p50',
      title: 'Event in → webhook received, p50',
      metric: "one run's p50",
      unit: 'ms',
      samples: runs.map((r) => r.p50),
      summary: false,
    }),
    metric({
      id: 'max',
      title: 'Event in → webhook received, max',
      metric: "one run's maximum",
      unit: 'ms',
      samples: runs.map((r) => r.max),
      summary: false,
    }),
  ],
  details,
  noDoc: values['no-doc'],
});
