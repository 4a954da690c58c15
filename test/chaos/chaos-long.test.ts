/**
 * The long chaos run, on demand only: `npm run chaos -- --lines 1000000 --kills 50` (scripts/chaos.mjs sets
 * CCTAP_CHAOS_ARGS; without it this file is skipped, so `npm test` never runs it). Prints the seed, the
 * timeline of kills and every figure of the audit (docs/reliability.md records a run).
 */
import { describe, expect, it } from 'vitest';
import { formatChaos, runChaos, type ChaosOptions } from './chaos-run.js';

const raw = process.env.CCTAP_CHAOS_ARGS;
const args = raw
  ? (JSON.parse(raw) as Omit<ChaosOptions, 'outage' | 'log'> & { outage: ChaosOptions['outage'] | null })
  : null;

describe.runIf(args !== null)('chaos, long run (npm run chaos)', () => {
  it(
    'loses nothing under the kill schedule and the outage drill',
    async () => {
      const { outage, ...rest } = args!;
      const r = await runChaos({ ...rest, ...(outage ? { outage } : {}), log: (line) => console.log(line) });
      console.log(formatChaos(r));
      expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    },
    4 * 3600_000,
  );
});
