/**
 * Checkpoints belong to the destination they were delivered to. The real `cctap collect` with one state
 * directory, pointed first at one nats-server, then at a new one, then at another prefix: each new stream
 * gets every line (the collector says in one line that it starts over), the same stream again gets
 * nothing, and `--reset` sends everything again on purpose. The real `cctap up` with one `--state` and two
 * stores: the second store gets every event too. Without the destination record the second server, prefix
 * and store each got nothing (the checkpoints said everything was delivered).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topology } from '@cctap/events';
import { connectNats } from '@cctap/kit';
import { startNats, type TestNats } from '../support/nats.js';
import { REAL_FIXTURES_DIR } from '../support/paths.js';
import { manager } from './support/pipeline-state.js';
import { cli } from './support/run-cctap.js';
import { upSummary } from './support/up-summary.js';

let dir: string;
let root: string;
const servers: TestNats[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-destination-'));
  root = join(dir, 'claude');
  const project = join(root, 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  copyFileSync(
    join(REAL_FIXTURES_DIR, 'spotter-v2.1.38-rejected-tool-use.jsonl'),
    join(project, '5f0c2a1e-0000-4000-8000-0000000000d1.jsonl'),
  );
  copyFileSync(
    join(REAL_FIXTURES_DIR, 'ccv-v1.0.98-small-tool-error.jsonl'),
    join(project, '5f0c2a1e-0000-4000-8000-0000000000d2.jsonl'),
  );
  servers.push(await startNats({ requireControl: true }), await startNats({ requireControl: true }));
}, 60_000);
afterAll(async () => {
  for (const s of servers) await s.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Messages in the raw stream of `prefix` on `url`. */
async function rawMessages(url: string, prefix: string): Promise<number> {
  const nc = await connectNats({ servers: url, name: 'e2e-destination' });
  try {
    return (await (await manager(nc)).streams.info(topology(prefix).stream('raw'))).state.messages;
  } finally {
    await nc.close();
  }
}

/** The events one `collect --once` published, from its closing log line. */
const published = (stderr: string): number =>
  Number(/backfill done: \d+ files, [^,]+, (\d+) events/.exec(stderr)?.[1] ?? NaN);

describe('collector checkpoints and their destination', () => {
  it('cctap collect: a new server or prefix starts over and says so, the same one resumes, --reset sends all again', async () => {
    const state = join(dir, 'state');
    const [a, b] = servers as [TestNats, TestNats];
    const collect = async (url: string, prefix: string, ...more: string[]) => {
      const r = await cli(
        [
          'collect',
          '--once',
          '--nats',
          url,
          '--prefix',
          prefix,
          '--root',
          root,
          '--state',
          state,
          '--metrics-port',
          '0',
          '--log-format',
          'pretty',
          ...more,
        ],
        undefined,
        60_000,
      );
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      return r.stderr;
    };
    for (const [url, prefix] of [
      [a.url, 'p1'],
      [b.url, 'p1'],
      [a.url, 'p2'],
    ] as const) {
      expect((await cli(['provision', '--nats', url, '--prefix', prefix])).code).toBe(0);
    }

    const first = await collect(a.url, 'p1');
    const all = published(first);
    expect(all).toBeGreaterThan(20);
    expect(first).not.toMatch(/forgot/);
    const batches = await rawMessages(a.url, 'p1');
    expect(batches).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(state, 'destination.json'), 'utf8')).label).toMatch(
      /^NATS stream P1_CCTAP_RAW created /,
    );

    // Another server: every line again, one line says why.
    const moved = await collect(b.url, 'p1');
    expect(moved.split('\n').filter((l) => l.includes('were for NATS stream P1_CCTAP_RAW'))).toHaveLength(1);
    expect(moved).toMatch(/forgot them \(2 files\); every transcript is read again from the beginning/);
    expect(published(moved)).toBe(all);
    expect(await rawMessages(b.url, 'p1')).toBe(batches);

    // The same server again: nothing to send, nothing said.
    const again = await collect(b.url, 'p1');
    expect(again).not.toMatch(/forgot/);
    expect(published(again)).toBe(0);

    // Another prefix on the first server is another stream.
    const prefixed = await collect(a.url, 'p2');
    expect(prefixed).toMatch(
      /were for NATS stream P1_CCTAP_RAW created [^ ]+ on [^ ]+, not NATS stream P2_CCTAP_RAW created [^ ]+ on /,
    );
    expect(await rawMessages(a.url, 'p2')).toBe(batches);

    // --reset: on purpose, said in one line; the stream's dedup keeps one copy of each batch.
    const reset = await collect(a.url, 'p2', '--reset');
    expect(
      reset
        .split('\n')
        .filter((l) =>
          l.includes('reset: forgot the checkpoints of 2 files and the delivered-line records of 2 sessions'),
        ),
    ).toHaveLength(1);
    expect(published(reset)).toBe(all);
    expect(await rawMessages(a.url, 'p2')).toBe(batches);
  }, 120_000);

  it('cctap up: checkpoints of one store do not hold back another, --reset reads all again', async () => {
    const state = join(dir, 'up-state');
    /** One `up --once`: its log and what its summary says the store holds. */
    const up = async (data: string, ...more: string[]) => {
      const r = await cli(
        [
          'up',
          '--once',
          '--root',
          root,
          '--data',
          data,
          '--state',
          state,
          '--metrics-port',
          '0',
          '--log-format',
          'json',
          '--log-level',
          'warn',
          ...more,
        ],
        undefined,
        60_000,
      );
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      const summary = upSummary<{ collector: { eventsPublished: number }; store: { events: number } }>(r.stdout);
      return { log: r.stdout + r.stderr, published: summary.collector.eventsPublished, stored: summary.store.events };
    };
    const one = join(dir, 'store-1');
    const two = join(dir, 'store-2');
    const first = await up(one);
    expect(first.log).not.toMatch(/forgot/);
    expect(first.stored).toBeGreaterThan(20);
    const second = await up(two);
    expect(second.log.split('\n').filter((l) => l.includes(`were for the store ${one}`))).toHaveLength(1);
    expect(second.published).toBe(first.published);
    expect(second.stored).toBe(first.stored);
    const reset = await up(two, '--reset');
    expect(reset.log).toContain('reset: forgot the checkpoints of 2 files');
    expect(reset.log).not.toContain('were for'); // the same store, known by its stored id
    expect(reset.published).toBe(first.published);
    expect(reset.stored).toBe(first.stored);
  }, 120_000);
});
