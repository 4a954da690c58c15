/**
 * The short chaos run of `npm test` (the long one is `npm run chaos`, docs/reliability.md): a small corpus on
 * two hosts, 10 SIGKILLs covering every component (collectors, validator, analyzer, alerter, sink,
 * nats-server) while files are still appended, then an outage drill (NATS down, then the store down); every
 * check of the audit must pass. Its negative control (the same audit catching a sink that loses data) is
 * chaos-negative-control.test.ts, a file of its own so the two run side by side.
 *
 * Uses the built CLI (apps/cctap/dist), which `npm test` builds in its typecheck step (`tsc -b`).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seedNote, testSeed } from '@cctap/events/testing';
import { CLI } from '../e2e/support/cli-process.js';
import { formatChaos, runChaos } from './chaos-run.js';

const seed = testSeed();
// Printed before the run starts, so a run that throws half way can be repeated too.
console.log(seedNote(seed, 'the kill schedule and corpus of this chaos run'));

describe('chaos, short run', () => {
  it('loses nothing and duplicates no alert outside the counted window under 10 kills and an outage', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -b)`);
    const r = await runChaos({
      lines: 5000,
      hosts: 2,
      kills: 10,
      minEach: 1,
      seed,
      gapMs: [400, 1400],
      // The run is at its quiesce after ~60-80 s of the test's 240 s: a step still waiting after 60 s ends in the
      // audit (which names the file or consumer short) rather than in the timeout.
      quiesceMs: 60_000,
      outage: { natsDownMs: 3000, storeDownMs: 3000 },
      // CCTAP_CHAOS_KEEP=1 keeps the work dir (corpus, state, every process's log) for a post-mortem.
      keep: process.env.CCTAP_CHAOS_KEEP === '1',
      // Each step as it happens: a run that hits the test's timeout shows how far it got.
      log: (line) => console.log(`chaos: ${line}`),
    });
    console.log(`${formatChaos(r)}\n  ${r.timeline.join('\n  ')}`);
    expect(r.figures.killsTotal).toBe(10);
    expect(Object.keys(r.figures.kills).sort()).toEqual([
      'alerter',
      'analyzer',
      'collector',
      'nats-server',
      'sink',
      'validator',
    ]);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  }, 240_000);
});
