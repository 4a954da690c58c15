/**
 * The negative control of the short chaos run (chaos-short.test.ts): the same audit against a sink with the
 * TEST-ONLY fault `ack-before-insert`, killed right after it acked what it had not inserted, must report the
 * loss. An audit that passed here would pass anything.
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
console.log(seedNote(seed, 'the corpus and kills of this negative control'));

describe('chaos, negative control', () => {
  it('a sink that acks before it inserts is caught losing data', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -b)`);
    const r = await runChaos({
      lines: 2500,
      hosts: 1,
      kills: 2,
      minEach: 2,
      seed: seed + 1,
      gapMs: [50, 400],
      components: ['sink'],
      sinkFault: 'ack-before-insert',
      backlogFirst: true,
      killSinkOnAck: true,
      keep: process.env.CCTAP_CHAOS_KEEP === '1',
    });
    console.log(`${formatChaos(r)}\n  ${r.timeline.join('\n  ')}`);
    const failed = r.checks.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toContain('every line stored');
    expect(failed).toContain('deduplicated events');
  }, 240_000);
});
