/**
 * Many recently written transcripts at once, under a low descriptor limit: the collector keeps its open
 * files within a budget (a quarter of the soft limit at most), so neither it nor the embedded store in the
 * same process runs out of descriptors, and every line is stored.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CCTAP, childEnv } from './support/run-cctap.js';
import { upSummary } from './support/up-summary.js';

const FILES = 800;
const LINES = 3;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-many-files-'));
  const project = join(dir, 'claude', 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const session = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const lines = Array.from({ length: LINES }, (_, j) =>
      JSON.stringify({
        type: 'user',
        uuid: `${session.slice(0, 24)}${String(i * 10 + j).padStart(12, '0')}`,
        parentUuid: null,
        sessionId: session,
        timestamp: `2026-12-06T10:00:0${j}.000Z`,
        cwd: '/home/dev/app',
        version: '2.1.212',
        message: { role: 'user', content: `hello ${j}` },
      }),
    );
    writeFileSync(join(project, `${session}.jsonl`), `${lines.join('\n')}\n`);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('many recently written transcripts', () => {
  it('are all stored by cctap up --once with 300 descriptors', async () => {
    const args = [
      'up',
      '--once',
      '--root',
      join(dir, 'claude'),
      '--data',
      join(dir, 'data'),
      '--metrics-port',
      '0',
      '--log-format',
      'json',
    ];
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('sh', ['-c', 'ulimit -n 300 && exec "$0" "$@"', process.execPath, CCTAP, ...args], {
        env: childEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.stderr).not.toMatch(/EMFILE|Too many open files/);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const summary = upSummary<{ store: { events: number; sessions: number } }>(r.stdout);
    expect(summary.store).toMatchObject({ events: FILES * LINES, sessions: FILES });
  }, 180_000);
});
