/**
 * Transcripts that Claude Code rewrites, through the multi-process path as operators run it: `cctap collect`
 * -> nats-server -> `cctap validator` -> `cctap sink --data DIR`, each its own OS process. The collector is
 * SIGKILLed right after each rewrite it has not read yet (an in-place tombstone removal, a rename compaction,
 * a `/cd` copy + delete) and restarted with the same state. The store must then hold every line ever written
 * once (raw rows, before any FINAL), every distinct metadata line once, and the tokens of every response by
 * the max rule, removed rows included: all counted by the test from what it wrote (test/support/rewrite-session.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTrustedBatch, topology } from '@cctap/events';
import { connectNats } from '@cctap/kit';
import {
  compactTranscript,
  dropUuids,
  reappendMetadata,
  relocateTranscript,
  removeLineInPlace,
} from '../support/claude-rewrites.js';
import { startNats, type TestNats } from '../support/nats.js';
import { RewriteSession } from '../support/rewrite-session.js';
import { waitFor } from '../support/wait-for.js';
import { CLI, cliProcess, metricValue, runCli, type CliProcess } from './support/cli-process.js';
import { consumerState, forEachStored, isIdle, manager } from './support/pipeline-state.js';

const PREFIX = `rw${process.pid}`;
const t = topology(PREFIX);

let work: string;
let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;
const procs: CliProcess[] = [];

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -b)`);
  work = mkdtempSync(join(tmpdir(), 'cctap-e2e-rewrite-mp-'));
  nats = await startNats({ requireControl: true });
  nc = await connectNats({ servers: nats.url, name: 'e2e-rewrite' });
  jsm = await manager(nc);
});

afterAll(async () => {
  for (const p of procs) await p.kill9().catch(() => undefined);
  await nc?.close().catch(() => undefined);
  await nats?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Line uuids in the validated events stream (what the sink consumes). */
async function uuidsInStream(): Promise<Set<string>> {
  const out = new Set<string>();
  await forEachStored(nc, t, 'events', (m) => {
    for (const e of decodeTrustedBatch(m.data).events) if (e.lineUuid) out.add(e.lineUuid);
  });
  return out;
}

describe('collect -> NATS -> validator -> sink, transcripts rewritten between SIGKILLs of the collector', () => {
  it('stores every line once and every token once', async () => {
    const root = join(work, 'claude');
    const data = join(work, 'store');
    const logs = mkdtempSync(join(work, 'logs-'));
    const s = new RewriteSession(
      join(root, 'projects', '-home-dev-app'),
      '/home/dev/app',
      new Date('2026-05-01T12:00:00.000Z'),
    );
    s.append(s.metadataLines(''));
    for (let i = 0; i < 3; i++) s.appendTurn();

    await runCli('provision', [
      '--nats',
      nats.url,
      '--prefix',
      PREFIX,
      '--max-bytes',
      String(256 * 1024 ** 2),
      '--ack-wait-ms',
      '8000',
    ]);
    const common = ['--nats', nats.url, '--prefix', PREFIX, '--metrics-port', '0', '--metrics-host', '127.0.0.1'];
    const collector = cliProcess({
      name: 'collect',
      command: 'collect',
      logDir: logs,
      args: [
        ...common,
        '--root',
        root,
        '--state',
        join(work, 'state'),
        '--host',
        'box',
        '--os-user',
        'e2e',
        '--sweep-ms',
        '100',
      ],
    });
    const validator = cliProcess({ name: 'validator', command: 'validator', logDir: logs, args: common });
    const sink = cliProcess({ name: 'sink', command: 'sink', logDir: logs, args: [...common, '--data', data] });
    procs.push(sink, validator, collector);
    await Promise.all([sink.start(), validator.start()]);
    await collector.start();

    const allInStream = async (what: string) => {
      await waitFor(
        what,
        async () => {
          const got = await uuidsInStream();
          return [...s.uuids].every((u) => got.has(u));
        },
        60_000,
        250,
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n${collector.logTail()}`, { cause: err });
      });
    };
    await allInStream('the first turns');

    // (d) + (a) while the collector runs, then a turn; SIGKILL once it is in.
    reappendMetadata(s.path, s.metadataLines('step 3: look at src/3'));
    removeLineInPlace(s.path, s.turns[0]![2]!);
    s.appendTurn();
    await allInStream('the turn after the in-place removal');
    await collector.kill9();

    // (a) again and (b) while it is down: read by the next incarnation only.
    removeLineInPlace(s.path, s.turns[2]![4]!);
    s.appendCompactBoundary();
    const dropped = new Set(s.turns.slice(0, 2).flat());
    compactTranscript(s.path, dropUuids(dropped), s.metadataLines('step 4: look at src/4'));
    s.appendTurn();
    await collector.start();
    await allInStream('the turn after the compaction');
    await collector.kill9();

    // (c) `/cd` across devices while it is down, then a turn in the new folder.
    const relocatedLine = s.relocatedLine('/home/dev/other');
    s.movedTo(
      relocateTranscript(s.path, join(root, 'projects', '-home-dev-other'), 'copy', relocatedLine),
      relocatedLine,
    );
    s.appendTurn();
    await collector.start();
    await allInStream('the turn after the relocation');
    // The metadata lines after the last uuid line too: the collector has read and published every byte.
    await waitFor(
      'the collector without checkpoint lag',
      async () => metricValue(await collector.metrics(), 'cctap_collector_checkpoint_lag_bytes') === 0,
      30_000,
      100,
    );
    await waitFor(
      'validator and sink idle',
      async () =>
        isIdle(await consumerState(jsm, t, 'validator')) && isIdle(await consumerState(jsm, t, 'sink-events')),
      60_000,
      200,
    );
    expect(await sink.stop()).toBe(0);
    expect(await validator.stop()).toBe(0);
    expect(await collector.stop()).toBe(0);
    expect(collector.kills).toBe(2);

    const sql = async (q: string) =>
      JSON.parse(await runCli('sql', [q, '--data', data, '--format', 'json'])) as Array<
        Record<string, string | number>
      >;
    const where = `session_id = '${s.sessionId}' AND type != 'heartbeat'`;
    const [c] = await sql(
      `SELECT count() AS rows, uniqExact(id) AS ids, uniqExact(line_uuid) - 1 AS uuids, countIf(line_uuid = '') AS metadataRows FROM events WHERE ${where}`,
    );
    expect(c).toEqual({ rows: c!.ids, ids: c!.ids, uuids: s.uuids.size, metadataRows: s.metadata.size });
    const [tok] = await sql(
      `SELECT sum(input_tokens) AS input, sum(output_tokens) AS output, sum(cache_creation_tokens) AS cacheCreation, sum(cache_read_tokens) AS cacheRead FROM usage FINAL WHERE session_id = '${s.sessionId}'`,
    );
    expect(Object.fromEntries(Object.entries(tok!).map(([k, v]) => [k, Number(v)]))).toEqual(s.expectedTotals());
  });
});
