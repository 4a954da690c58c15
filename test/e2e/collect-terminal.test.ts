/**
 * `cctap collect` on a terminal reads like `cctap up`: a line saying what the backfill will read, the
 * progress bar redrawn in place, the closing line, short human log lines; no JSON. The same command
 * without a terminal (a service manager, a pipe) still writes JSON log lines. The real command against a
 * real nats-server, on a pseudo-terminal (support/terminal.ts).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, type TestNats } from '../support/nats.js';
import { REAL_FIXTURES_DIR } from '../support/paths.js';
import { cli } from './support/run-cctap.js';
import { startInTerminal } from './support/terminal.js';

let dir: string;
let root: string;
let nats: TestNats;
const FIXTURES = ['spotter-v2.1.38-rejected-tool-use.jsonl', 'ccv-v1.0.98-small-tool-error.jsonl'];
let bytes = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-collect-terminal-'));
  root = join(dir, 'claude');
  const project = join(root, 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  FIXTURES.forEach((f, i) => {
    copyFileSync(join(REAL_FIXTURES_DIR, f), join(project, `5f0c2a1e-0000-4000-8000-00000000000${i}.jsonl`));
    bytes += statSync(join(project, `5f0c2a1e-0000-4000-8000-00000000000${i}.jsonl`)).size;
  });
  nats = await startNats();
  expect((await cli(['provision', '--nats', nats.url, '--prefix', 'tty'])).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const args = (state: string) => [
  'collect',
  '--once',
  '--nats',
  nats.url,
  '--prefix',
  'tty',
  '--root',
  root,
  '--state',
  join(dir, state),
  '--metrics-port',
  '0',
];

describe('cctap collect output', () => {
  it('on a terminal: what will be read, a progress bar, the closing line, and no JSON', async () => {
    const t = startInTerminal(args('tty-state'), join(dir, 'collect.pid'));
    const code = await t.exit;
    const lines = t.lines();
    expect(code, lines.join('\n')).toBe(0);
    expect(lines).toContain(
      `cctap collect: 2 transcript files, ${(bytes / 1024 / 1024).toFixed(1)} MB to read under ${root}`,
    );
    expect(
      lines.some((l) => /^backfill \[[#-]+\]\s+\d+%\s+\d+\/2 files/.test(l)),
      lines.join('\n'),
    ).toBe(true);
    expect(
      lines.some((l) => /^backfill done: 2 files, [\d.]+ MB, \d+ events in [\d.]+s$/.test(l)),
      lines.join('\n'),
    ).toBe(true);
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
  }, 90_000);

  it('elsewhere: JSON log lines, as before', async () => {
    const r = await cli(args('pipe-state'), undefined, 60_000);
    expect(r.code, r.stderr).toBe(0);
    const done = r.stderr.split('\n').find((l) => l.includes('"msg":"backfill done: 2 files'));
    expect(done, r.stderr).toBeDefined();
    expect(JSON.parse(done!)).toMatchObject({ level: 'info', service: 'collector', filesTotal: 2 });
    expect(r.stderr).not.toContain('\u001b[');
  }, 90_000);
});
