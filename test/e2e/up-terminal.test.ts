/**
 * `cctap up` on a terminal tells the truth. The real command on a pseudo-terminal (support/terminal.ts):
 *   - the banner counts the files and bytes the backfill will read, and the bar measures against that
 *     total from its first drawing (it used to count files as they were opened: 100% the whole time);
 *     `--once` ends with "done", not "live now";
 *   - live, sessions that ended long ago are ended after the backfill without a line each in the feed
 *     (every historical session printed "session ended (timeout)"), and the status line counts none of
 *     them active; a day without usage costs $0.00;
 *   - the demo's hints name its store, and `cctap report session --detail` on it shows every session
 *     analyzed and no nameless session made of heartbeats.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realFixtureFiles } from '../support/paths.js';
import { cli, sqlJson, waitUntil } from './support/run-cctap.js';
import { startInTerminal } from './support/terminal.js';

let dir: string;
/** A Claude config directory of real sessions, all of them long over (2025 and early 2026). */
let root: string;
/** The transcripts in it: what the banner must count. */
let files = 0;
let bytes = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-up-terminal-'));
  root = join(dir, 'claude');
  const project = join(root, 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  // The seven smallest sample transcripts (a few hundred KB): enough sessions, a short backfill.
  const small = realFixtureFiles()
    .sort((a, b) => statSync(a).size - statSync(b).size)
    .slice(0, 7);
  small.forEach((f, i) => copyFileSync(f, join(project, `5f0c2a1e-0000-4000-8000-00000000000${i}.jsonl`)));
  for (const f of readdirSync(project)) {
    files += 1;
    bytes += statSync(join(project, f)).size;
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const BAR = /^backfill \[[#-]+\]\s+(\d+)%\s+(\d+)\/(\d+) files\s+([\d.]+ MB)\/([\d.]+ MB)/;

describe('cctap up on a terminal', () => {
  it('--once: the banner counts what will be read, the bar measures against it, and the run says done', async () => {
    const t = startInTerminal(
      ['up', '--root', root, '--data', join(dir, 'once'), '--metrics-port', '0', '--once'],
      join(dir, 'once.pid'),
    );
    expect(await t.exit, t.lines().join('\n')).toBe(0);
    const lines = t.lines();
    const text = lines.join('\n');
    expect(text).toContain(`watching  ${root}  (${files} transcript files, ${mb(bytes)} to read)`);
    const bars = lines.map((l) => BAR.exec(l)).filter((m) => m !== null);
    expect(bars.length, text).toBeGreaterThan(0);
    for (const m of bars) {
      // One total, known before the first byte is read, and no 100% while the backfill goes on.
      expect([m[3], m[5]]).toEqual([String(files), mb(bytes)]);
      expect(Number(m[1])).toBeLessThan(100);
    }
    const percents = bars.map((m) => Number(m[1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(text).toMatch(new RegExp(`backfill done: ${files} files, .*\\(\\d+ sessions, 0 still active, `));
    expect(text).not.toContain('live now');
    expect(text).toMatch(/cctap up --once: done in [\d.]+s/);
    expect(text).not.toContain('stopped after');
  }, 150_000);

  it('live: history sessions end without a line each, none is active, and a day without usage costs $0.00', async () => {
    const data = join(dir, 'live');
    const t = startInTerminal(
      ['up', '--root', root, '--data', data, '--metrics-port', '0', '--status-seconds', '1'],
      join(dir, 'live.pid'),
    );
    const text = () => t.lines().join('\n');
    await waitUntil('the backfill', () => (text().includes('; live now') ? true : undefined), 120_000, text);
    expect(text()).toMatch(/backfill done: \d+ files, .*\(\d+ sessions, 0 still active, .*; live now/);
    // Every session is over (its last line is months old): the analyzer ends each one after the backfill.
    await waitUntil(
      'every history session ended',
      async () => {
        const [n] = await sqlJson<{ started: number; ended: number }>(
          data,
          "SELECT uniqExactIf(session_id, kind = 'session.start') AS started, uniqExactIf(session_id, kind = 'session.end') AS ended FROM derived",
        );
        return Number(n!.started) > 3 && Number(n!.ended) === Number(n!.started) ? true : undefined;
      },
      60_000,
      text,
    );
    // A status line drawn after that.
    const seen = t.lines().length;
    const status = await waitUntil(
      'a status line',
      () =>
        t
          .lines()
          .slice(seen)
          .find((l) => l.includes('active sessions')),
      30_000,
      text,
    );
    expect(status).toMatch(/ 0 active sessions · today 0 tokens · \$0\.00$/);
    expect(text()).not.toContain('session ended');
    await t.kill('SIGTERM');
    expect(await t.exit, text()).toBe(0);
    expect(text()).toContain('cctap up: stopped after');
  }, 240_000);

  it('--demo: the hints name the demo store, where every session is analyzed and none is nameless', async () => {
    const t = startInTerminal(
      ['up', '--demo', '--demo-speed', '30', '--metrics-port', '0', '--status-seconds', '0'],
      join(dir, 'demo.pid'),
    );
    const text = () => t.lines().join('\n');
    const hint = await waitUntil(
      'the end of the replay',
      () => t.lines().find((l) => l.includes('every line replayed and stored')),
      120_000,
      text,
    );
    const data = / --data (\S+)/.exec(hint)?.[1];
    expect(data, hint).toMatch(/cctap-demo-.*\/data$/);
    expect(hint).toContain(`npx cctap report session --detail --data ${data}`);
    expect(text()).toContain(`reports while this runs: npx cctap report daily --data ${data}`);
    const detail = await cli(['report', 'session', '--detail', '--data', data!], undefined, 60_000);
    expect(detail.code, detail.stderr).toBe(0);
    const heads = detail.stdout.split('\n').filter((l) => l.startsWith('Session '));
    expect(heads.length, detail.stdout).toBeGreaterThanOrEqual(5);
    for (const h of heads) expect(h).toMatch(/^Session [0-9a-f-]{36} /);
    expect(detail.stdout).not.toContain('no analysis yet');
    await t.kill('SIGTERM');
    expect(await t.exit, text()).toBe(0);
  }, 240_000);
});
