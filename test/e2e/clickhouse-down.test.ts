/**
 * A ClickHouse server that does not answer (`--clickhouse` on a port nothing listens on). One-shot commands
 * (migrate, report, sql) say "waiting for ClickHouse at <url>", retry visibly, and give up after
 * CCTAP_WAIT_SECONDS with one line and exit 4; the sink keeps waiting, its probe answering; `cctap up` on a
 * terminal shows the waiting line instead of a blank screen.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { startNats, type TestNats } from '../support/nats.js';
import { cli, exitWithin, startCctap, waitUntil, type Running } from './support/run-cctap.js';
import { startInTerminal, type InTerminal } from './support/terminal.js';

const STACK_LINE = /^\s+at /m;

let dir: string;
let nats: TestNats;
let clickhouse: string;
const started: Running[] = [];
const terminals: InTerminal[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-clickhouse-down-'));
  mkdirSync(join(dir, 'claude'));
  nats = await startNats();
  clickhouse = `http://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  for (const r of started) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  for (const t of terminals) await t.kill('SIGKILL').catch(() => undefined);
  await nats.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('ClickHouse down', () => {
  it.each([['migrate'], ['report', 'daily'], ['sql', 'SELECT 1']])(
    'cctap %s gives up after CCTAP_WAIT_SECONDS: one line, exit 4',
    async (...args) => {
      const r = await cli([...args, '--clickhouse', clickhouse], { CCTAP_WAIT_SECONDS: '1' }, 30_000);
      expect(r.code, r.stderr).toBe(4);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(
        new RegExp(
          `^waiting for ClickHouse at ${clickhouse}/: .*\\(attempt 1, next in [\\d.]+s, giving up after 1s\\)$`,
        ),
      );
      expect(lines.some((l) => l.includes('(attempt 2, next in'))).toBe(true);
      expect(lines.at(-1)).toMatch(
        new RegExp(
          `^cctap ${args[0]}: gave up waiting for ClickHouse at ${clickhouse}/ after 1s \\(\\d+ attempts, last: .*ECONNREFUSED`,
        ),
      );
      expect(r.stderr).not.toMatch(STACK_LINE);
    },
  );

  it('up --once is one-shot too: one line, exit 4', async () => {
    const r = await cli(
      [
        'up',
        '--once',
        '--clickhouse',
        clickhouse,
        '--root',
        join(dir, 'claude'),
        '--state',
        join(dir, 'once-state'),
        '--metrics-port',
        '0',
      ],
      { CCTAP_WAIT_SECONDS: '1' },
      30_000,
    );
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain(`waiting for ClickHouse at ${clickhouse}/: `);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(`^cctap up: gave up waiting for ClickHouse at ${clickhouse}/ after 1s `),
    );
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('the sink keeps waiting, logging each retry, with /livez up and /readyz 503', async () => {
    const sink = startCctap(['sink', '--nats', nats.url, '--clickhouse', clickhouse, '--metrics-port', '0']);
    started.push(sink);
    await waitUntil(
      'the sink logging its third attempt',
      () => sink.stderr().includes('(attempt 3, next in'),
      30_000,
      sink.stderr,
    );
    expect(sink.stderr()).toContain(`"msg":"waiting for ClickHouse at ${clickhouse}/:`);
    expect(sink.stderr()).not.toContain('giving up');
    const port = Number(/"msg":"probe server listening".*?"port":(\d+)/.exec(sink.stderr())?.[1]);
    expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    // A stop while waiting ends it as the signal would (143), after closing the probe port and the connection.
    sink.child.kill('SIGTERM');
    expect(await exitWithin(sink, 30_000, 'the waiting sink after SIGTERM')).toBe(143);
    expect(sink.stderr()).toContain(`cctap sink: stopped (SIGTERM) while waiting for ClickHouse at ${clickhouse}/`);
  });

  // The banner comes only once the servers answer; the waiting line must reach the terminal before it.
  it('cctap up on a terminal shows the waiting line', async () => {
    const t = startInTerminal(
      [
        'up',
        '--clickhouse',
        clickhouse,
        '--root',
        join(dir, 'claude'),
        '--state',
        join(dir, 'state'),
        '--metrics-port',
        '0',
      ],
      join(dir, 'up.pid'),
    );
    terminals.push(t);
    await waitUntil(
      'the waiting line on the terminal',
      () => t.lines().some((l) => l.includes(`waiting for ClickHouse at ${clickhouse}/`)),
      10_000,
      () => t.lines().join('\n'),
    );
  });
});
