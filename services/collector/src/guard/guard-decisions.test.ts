/**
 * The guard's decisions file as a collector source: each complete line is published once as a `guard`
 * event (a partial last line waits for its newline), a line that is no decision is skipped with a warning,
 * the checkpoint resumes after the last published line, and a rotated file is read from its start.
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBus, createLogger } from '@cctap/kit';
import { decodeTrustedBatch, topology } from '@cctap/events';
import { createCollector } from '../service/collector.js';
import { tempDirs } from '../testing/temp-dirs.js';

const { make: tmp, removeAll } = tempDirs('cctap-guard-decisions-');
afterEach(removeAll);

const decision = (toolUseId: string, decision = 'deny') =>
  `${JSON.stringify({
    v: 1,
    ts: '2026-12-07T10:00:00.000Z',
    decision,
    rule: decision === 'allow' ? null : 'dangerous-command',
    findings: decision === 'allow' ? [] : ['rm-rf-broad'],
    match: decision === 'allow' ? null : 'rm -rf ~',
    reason: '',
    tool: 'Bash',
    toolUseId,
    sessionId: 's1',
    cwd: '/home/dev/app',
    transcriptPath: '',
    permissionMode: 'default',
    error: null,
    failClosed: false,
  })}\n`;

/** One `--once` run over an empty transcript root: the guard events it published, and its warnings. */
async function runOnce(file: string, stateDir: string, reset = false) {
  const t = topology('t');
  const bus = createInProcessBus({ topology: t, consumers: [] });
  const warnings: string[] = [];
  const logger = createLogger({ service: 'test', level: 'warn', format: 'pretty', write: (l) => warnings.push(l) });
  const root = tmp();
  mkdirSync(join(root, 'projects'));
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
    reset,
    guardDecisions: file,
    logger,
  });
  await collector.runOnce();
  const stored = await bus.read('raw', { max: 1000 });
  await bus.close();
  const events = stored.flatMap((m) => decodeTrustedBatch(m.data).events).filter((e) => e.type === 'guard');
  return { toolUseIds: events.map((e) => (e.type === 'guard' ? e.payload.toolUseId : '')), warnings };
}

describe('guard decisions as a collector source', () => {
  it('publishes each complete decision once, resumes after the last, starts over on a new file', async () => {
    const dir = tmp();
    const state = tmp();
    const file = join(dir, 'decisions.jsonl');
    expect(await runOnce(file, state)).toEqual({ toolUseIds: [], warnings: [] }); // no file yet: nothing, quietly

    const partial = decision('t3');
    writeFileSync(file, decision('t1') + 'not a decision\n' + decision('t2', 'allow') + partial.slice(0, 40));
    const first = await runOnce(file, state);
    expect(first.toolUseIds).toEqual(['t1', 't2']);
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]).toContain('skipped a line of the guard decisions file that is no decision');

    appendFileSync(file, partial.slice(40) + decision('t4'));
    expect((await runOnce(file, state)).toolUseIds).toEqual(['t3', 't4']);
    expect((await runOnce(file, state)).toolUseIds).toEqual([]);

    // Rotated: another inode under the name, shorter than the checkpoint.
    rmSync(file);
    writeFileSync(file, decision('t5'));
    expect((await runOnce(file, state)).toolUseIds).toEqual(['t5']);

    // --reset forgets where it was: everything on disk again (the ids make the copies duplicates downstream).
    appendFileSync(file, decision('t6'));
    expect((await runOnce(file, state, true)).toolUseIds).toEqual(['t5', 't6']);
  });
});
