/**
 * A collector started for another destination than its state was recorded for reads everything again, or
 * from `--since` when given, and says so in one warning; the same destination resumes silently.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBus, createLogger } from '@cctap/kit';
import { topology } from '@cctap/events';
import { createCollector } from './collector.js';
import { tempDirs } from '../testing/temp-dirs.js';

const { make: tmp, removeAll } = tempDirs('cctap-destination-change-');
afterEach(removeAll);

const A = { id: 'a', label: 'stream A' };
const B = { id: 'b', label: 'stream B' };

/** One backfill into `dest`: the events it published and its warnings. */
async function runOnce(root: string, stateDir: string, dest: { id: string; label: string }, since: Date | null = null) {
  const bus = createInProcessBus({ topology: topology('t'), consumers: [] });
  const warnings: string[] = [];
  const logger = createLogger({ service: 'test', level: 'warn', format: 'pretty', write: (l) => warnings.push(l) });
  const collector = createCollector({
    bus,
    roots: [root],
    stateDir,
    host: 'h',
    user: 'u',
    privacy: 'redacted',
    heartbeatMs: 0,
    subjectPrefix: 't',
    watch: false,
    since,
    destination: async () => dest,
    logger,
  });
  const p = await collector.runOnce();
  await bus.close();
  return { published: p.eventsPublished, warnings };
}

describe('collector state and its destination', () => {
  it('resumes on the same destination, starts over on another, from --since when given', async () => {
    const root = tmp();
    const state = tmp();
    mkdirSync(join(root, 'projects', '-w'), { recursive: true });
    const file = join(root, 'projects', '-w', '5f0c2a1e-0000-4000-8000-0000000000f1.jsonl');
    writeFileSync(file, '{"type":"summary","summary":"x","leafUuid":"u"}\n');
    utimesSync(file, new Date('2025-01-01'), new Date('2025-01-01'));

    const first = await runOnce(root, state, A);
    expect(first.published).toBeGreaterThan(0);
    expect(first.warnings).toEqual([]);
    expect(await runOnce(root, state, A)).toEqual({ published: 0, warnings: [] });

    const moved = await runOnce(root, state, B, new Date('2026-01-01'));
    expect(moved.published).toBe(0); // older than --since: skipped, as on a first start
    expect(moved.warnings).toHaveLength(1);
    expect(moved.warnings[0]).toContain(
      `the checkpoints in ${state} were for stream A, not stream B: forgot them (1 files); every transcript is read again from the beginning; files last modified before 2026-01-01T00:00:00.000Z are skipped (--since)`,
    );

    const back = await runOnce(root, state, A);
    expect(back.published).toBe(first.published);
    expect(back.warnings[0]).toContain('were for stream B, not stream A');
  });
});
