/**
 * The whole pipeline as separate OS processes against a real nats-server and the embedded ClickHouse:
 * `cctap provision`, one `cctap collect` per host root, `cctap validator`, `cctap sink --data DIR`. While
 * a writer is still appending to some transcripts, every service is SIGKILLed at least once mid-stream and
 * restarted with the same arguments and state, and nats-server is restarted on the same port and store.
 * Afterwards the store must hold exactly the generator's accounting (bench/corpus expected.json): tokens
 * per day and model, one row per event id and per response, and every line of every file; and the raw
 * stream must cover every byte of every file.
 *
 * Uses the built CLI (apps/cctap/dist), which `npm test` builds in its typecheck step (`tsc -b`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topology } from '@cctap/events';
import { connectNats } from '@cctap/kit';
import { generateCorpus, type CorpusResult } from '../../bench/corpus/index.js';
import { startNats, type TestNats } from '../support/nats.js';
import { CLI, cliProcess, metricValue, runCli, type CliProcess } from './support/cli-process.js';
import { consumerState, isIdle, manager, RawCoverage } from './support/pipeline-state.js';
import { holdBack, startWriter, type HeldBackFile } from './support/slow-writer.js';
import { waitFor } from '../support/wait-for.js';

const PREFIX = `e2e${process.pid}`;
const t = topology(PREFIX);

let work: string;
let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;
let raw: RawCoverage;
let corpus: CorpusResult;
const procs: CliProcess[] = [];

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -b)`);
  work = mkdtempSync(join(tmpdir(), 'cctap-e2e-'));
  corpus = generateCorpus({
    out: join(work, 'corpus'),
    size: 4_000_000,
    seed: 23,
    hosts: 2,
    days: 5,
    startDate: '2026-04-01',
  });
  nats = await startNats({ requireControl: true });
  nc = await connectNats({ servers: nats.url, name: 'e2e-test' });
  jsm = await manager(nc);
  raw = new RawCoverage(nc, t);
});

afterAll(async () => {
  for (const p of procs) await p.kill9().catch(() => undefined);
  await raw?.close().catch(() => undefined);
  await nc?.close().catch(() => undefined);
  await nats?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('collect -> NATS -> validator -> sink, each its own process, under SIGKILL', () => {
  it('stores every line and exactly the expected tokens after kills of every service and a NATS restart', async () => {
    const { expected, out } = corpus;
    const abs = (rel: string) => join(out, ...rel.split('/'));
    const data = join(work, 'store');
    const logs = mkdtempSync(join(work, 'logs-'));

    // Some files are still being written when the pipeline starts: the two largest of each host keep a
    // quarter of their lines, and the smallest of each host does not exist yet.
    const held: HeldBackFile[] = [];
    for (const h of expected.hosts) {
      const mine = expected.files
        .filter((f) => f.host === h.name)
        .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
      expect(mine.length, `files of ${h.name}`).toBeGreaterThanOrEqual(3);
      mine.slice(0, 2).forEach((f, i) => held.push(holdBack(abs(f.path), Math.ceil(f.lines / 4), i % 2 === 0)));
      held.push(holdBack(abs(mine[mine.length - 1]!.path), 0, false));
    }

    await runCli('provision', [
      '--nats',
      nats.url,
      '--prefix',
      PREFIX,
      '--max-bytes',
      String(1024 ** 3),
      '--ack-wait-ms',
      '8000',
    ]);
    const common = ['--nats', nats.url, '--prefix', PREFIX, '--metrics-port', '0', '--metrics-host', '127.0.0.1'];
    const collectors = expected.hosts.map((h) =>
      cliProcess({
        name: `collect-${h.name}`,
        command: 'collect',
        logDir: logs,
        args: [
          ...common,
          '--root',
          join(out, h.root),
          '--state',
          join(work, `state-${h.name}`),
          '--host',
          h.name,
          '--os-user',
          'e2e',
          '--sweep-ms',
          '100',
        ],
      }),
    );
    const validator = cliProcess({ name: 'validator', command: 'validator', logDir: logs, args: common });
    const sink = cliProcess({ name: 'sink', command: 'sink', logDir: logs, args: [...common, '--data', data] });
    procs.push(sink, validator, ...collectors);
    await Promise.all([sink.start(), validator.start()]);
    for (const c of collectors) await c.start();

    const writer = startWriter(held, 9000);
    const t0 = Date.now();
    // What each kill interrupted, for the test output (and the proof that it happened mid-stream).
    const timeline: string[] = [];
    const kill = async (p: CliProcess, context = '') => {
      await p.kill9();
      timeline.push(
        `${((Date.now() - t0) / 1000).toFixed(1)}s SIGKILL ${p.name}${context} (writer ${Math.round(writer.fraction() * 100)}%)`,
      );
      await p.start();
    };
    const sinkState = () => consumerState(jsm, t, 'sink-events');
    const validatorState = () => consumerState(jsm, t, 'validator');

    // Collector of the first host: killed once its first batches are in the stream.
    await waitFor('first raw batches', async () => (await raw.refresh(), raw.batches > 0), 20_000);
    await kill(collectors[0]!, ` after ${raw.batches} raw batches`);

    // Validator: killed while it has work delivered or waiting.
    const v = await waitFor(
      'validator mid-stream',
      async () => {
        const s = await validatorState();
        return s.ackFloor > 0 && s.pending + s.ackPending > 0 && s;
      },
      20_000,
      20,
    );
    await kill(validator, ` at raw seq ${v.ackFloor}, ${v.ackPending} unacked, ${v.pending} pending`);

    // Sink: killed once it has stored something and more is waiting.
    const k = await waitFor(
      'sink mid-stream',
      async () => {
        const s = await sinkState();
        return s.ackFloor > 0 && s.pending + s.ackPending > 0 && s;
      },
      30_000,
      20,
    );
    await kill(sink, ` at events seq ${k.ackFloor}, ${k.ackPending} unacked, ${k.pending} pending`);

    // nats-server: stopped and started on the same port and store while everyone is connected.
    await nats.stop();
    await new Promise((r) => setTimeout(r, 500));
    await nats.start();
    timeline.push(
      `${((Date.now() - t0) / 1000).toFixed(1)}s nats-server restarted (writer ${Math.round(writer.fraction() * 100)}%)`,
    );

    // The other collector, and the first one a second time, while the writer is still appending.
    for (const c of collectors.slice(1).concat(collectors[0]!)) {
      await new Promise((r) => setTimeout(r, 700));
      await kill(c);
    }
    const { appends } = await writer.done;
    const sizeOf = new Map(expected.files.map((f) => [abs(f.path), f.bytes]));
    expect(held.every((f) => f.full.length === sizeOf.get(f.path))).toBe(true);

    // Idle: every byte of every file is in CCTAP_RAW, the collectors hold no unacked bytes, and neither the
    // validator nor the sink has anything pending or unacked.
    await waitFor(
      'every file covered in CCTAP_RAW',
      async () => {
        await raw.refresh();
        return [...sizeOf].every(([p, size]) => raw.covers(p, size));
      },
      // Alone this takes about 5 s; inside the full suite, with both cores busy, the restarted collectors have
      // been seen to need over 60 s. A bound for a hang, not a speed check.
      150_000,
      250,
    );
    await waitFor(
      'collectors without checkpoint lag',
      async () => {
        for (const c of collectors)
          if (metricValue(await c.metrics(), 'cctap_collector_checkpoint_lag_bytes') !== 0) return false;
        return true;
      },
      20_000,
      200,
    );
    await waitFor(
      'validator and sink idle',
      async () => isIdle(await validatorState()) && isIdle(await sinkState()),
      60_000,
      200,
    );

    const sinkMetrics = await sink.metrics();
    expect(await sink.stop()).toBe(0);
    expect(await validator.stop()).toBe(0);
    for (const c of collectors) expect(await c.stop()).toBe(0);

    // Tokens per day and model: exactly the generator's accounting.
    const daily = JSON.parse(await runCli('report', ['daily', '--json', '--tz', 'UTC', '--data', data])) as {
      daily: Array<{
        date: string;
        modelBreakdowns: Array<{
          modelName: string;
          inputTokens: number;
          outputTokens: number;
          cacheCreationTokens: number;
          cacheReadTokens: number;
        }>;
      }>;
    };
    const got = daily.daily
      .flatMap((d) =>
        d.modelBreakdowns.map((b) => ({
          day: d.date,
          model: b.modelName,
          inputTokens: b.inputTokens,
          outputTokens: b.outputTokens,
          cacheCreationTokens: b.cacheCreationTokens,
          cacheReadTokens: b.cacheReadTokens,
        })),
      )
      .sort((a, b) => (a.day + a.model).localeCompare(b.day + b.model));
    const want = expected.byDayModel
      .map(({ day, model, inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens }) => ({
        day,
        model,
        inputTokens,
        outputTokens,
        cacheCreationTokens,
        cacheReadTokens,
      }))
      .sort((a, b) => (a.day + a.model).localeCompare(b.day + b.model));
    expect(got).toEqual(want);

    // One `cctap sql` for the store checks below (each run opens the embedded store anew, seconds on a busy
    // machine).
    const [row] = JSON.parse(
      await runCli('sql', [
        `SELECT (SELECT count() FROM events FINAL) AS final, (SELECT uniqExact(id) FROM events) AS ids,
           (SELECT count() FROM events) AS stored, (SELECT count() FROM invalid_events) AS invalid,
           (SELECT count() FROM usage FINAL) AS usageFinal, (SELECT uniqExact(message_id, request_id, scope) FROM usage) AS keys,
           (SELECT count() FROM usage_responses) AS responses,
           (SELECT groupArray((path, lines)) FROM
              (SELECT source_path AS path, uniqExact(source_offset) AS lines FROM events GROUP BY path)) AS perPath`,
        '--data',
        data,
        '--format',
        'json',
      ]),
    ) as {
      final: string;
      ids: string;
      stored: string;
      invalid: string;
      usageFinal: string;
      keys: string;
      responses: string;
      perPath: [string, string][];
    }[];

    // No duplicates in the deduplicated tables.
    const ev = { final: row!.final, ids: row!.ids, stored: row!.stored, invalid: row!.invalid };
    expect(Number(ev.final)).toBe(Number(ev.ids));
    expect(Number(ev.invalid)).toBe(0);
    const us = { final: row!.usageFinal, keys: row!.keys, responses: row!.responses };
    expect(Number(us.final)).toBe(Number(us.keys));
    expect(Number(us.responses)).toBe(expected.totals.responses);

    // Every line of every file is stored: distinct line offsets per path equal the generator's line count.
    const gotLines = new Map(row!.perPath.map(([path, lines]) => [path, Number(lines)]));
    const missing = expected.files
      .filter((f) => gotLines.get(abs(f.path)) !== f.lines)
      .map((f) => `${f.path}: ${gotLines.get(abs(f.path)) ?? 0}/${f.lines}`);
    expect(missing).toEqual([]);

    const tokens =
      expected.totals.inputTokens +
      expected.totals.outputTokens +
      expected.totals.cacheCreationTokens +
      expected.totals.cacheReadTokens;
    const kills = procs.reduce((s, p) => s + p.kills, 0);
    console.log(
      `e2e multi-process: ${expected.totals.files} files, ${(expected.totals.bytes / 1e6).toFixed(1)} MB, ${expected.totals.lines} lines, ${appends} appends to ${held.length} files; ` +
        `SIGKILLs ${kills} (${procs.map((p) => `${p.name} ${p.kills}`).join(', ')}), restarts ${procs.reduce((s, p) => s + p.starts - 1, 0)} + nats-server 1; ` +
        `raw batches ${raw.batches} (${raw.resent} re-sent after kills); events ${ev.ids} (${ev.stored} rows stored before merges); ` +
        `responses ${us.responses}; tokens ${tokens}; redeliveries to the last sink ${metricValue(sinkMetrics, 'cctap_redeliveries_total') ?? 'n/a'}\n  ${timeline.join('\n  ')}`,
    );
  }, 300_000);
});
