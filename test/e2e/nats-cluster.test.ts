/**
 * The pipeline on a three-node JetStream cluster (deploy/nats/nats-cluster.conf, started on loopback): every
 * process is given all three servers (`--nats a,b,c`), provision creates the streams with three replicas, and
 * while the collectors still read transcripts that are being written, the node leading the events stream
 * is SIGKILLed. The two left keep the quorum; the store must still hold exactly the generator's accounting:
 * every line, every response, tokens per day and model, no event twice.
 *
 * Uses the built CLI (apps/cctap/dist), which `npm test` builds in its typecheck step (`tsc -b`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { topology } from '@cctap/events';
import { connectNats } from '@cctap/kit';
import { generateCorpus, type CorpusResult } from '../../bench/corpus/index.js';
import { startNatsCluster, type NatsCluster } from '../support/nats-cluster.js';
import { waitFor } from '../support/wait-for.js';
import { CLI, metricValue, runCli } from './support/cli-process.js';
import { createPipeline, type Pipeline } from './support/pipeline.js';
import { consumerState, isIdle, manager, RawCoverage } from './support/pipeline-state.js';
import { holdBack, startWriter, type HeldBackFile } from './support/slow-writer.js';

const PREFIX = `cl${process.pid}`;
const t = topology(PREFIX);
const MiB = 1024 ** 2;

let work: string;
let cluster: NatsCluster;
let nc: NatsConnection;
let jsm: JetStreamManager;
let raw: RawCoverage;
let corpus: CorpusResult;
let pipeline: Pipeline | null = null;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -b)`);
  work = mkdtempSync(join(tmpdir(), 'cctap-cluster-'));
  corpus = generateCorpus({
    out: join(work, 'corpus'),
    size: 1_200_000,
    seed: 31,
    // One collector: on two shared cores every process started costs seconds.
    hosts: 1,
    days: 3,
    startDate: '2026-05-01',
  });
  cluster = await startNatsCluster({ maxFileStore: 512 * MiB });
  nc = await connectNats({ servers: cluster.servers, name: 'cluster-test' });
  jsm = await manager(nc);
  raw = new RawCoverage(nc, t);
});

afterAll(async () => {
  await pipeline?.kill();
  await raw?.close().catch(() => undefined);
  await nc?.close().catch(() => undefined);
  await cluster?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a three-node NATS cluster', () => {
  it('loses and doubles nothing when the node leading the events stream is SIGKILLed mid-ingest', async () => {
    const t0 = Date.now();
    const stamps: string[] = [];
    const stamp = (what: string) => stamps.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    onTestFailed(() => {
      console.log(`cluster nodes (${stamps.join(', ')}):\n${cluster.describe()}`);
      for (const p of pipeline?.all ?? []) console.log(`--- ${p.name}\n${p.logTail(1500)}`);
    });
    const { expected, out } = corpus;
    const abs = (rel: string) => join(out, ...rel.split('/'));

    // The two largest files are still being written when the pipeline starts.
    const held: HeldBackFile[] = [];
    for (const h of expected.hosts) {
      const mine = expected.files
        .filter((f) => f.host === h.name)
        .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
      mine.slice(0, 2).forEach((f, i) => held.push(holdBack(abs(f.path), Math.ceil(f.lines / 3), i % 2 === 0)));
    }

    // Sized as the Kubernetes job is: three replicas, the streams fitted to each node's store.
    const report = JSON.parse(
      await runCli('provision', [
        '--nats',
        cluster.servers,
        '--prefix',
        PREFIX,
        '--replicas',
        '3',
        '--storage',
        String(512 * MiB),
        '--ack-wait-ms',
        '8000',
        '--json',
      ]),
    ) as { entries: { kind: string; name: string; maxBytes?: number }[] };
    const reserved = report.entries.reduce((s, e) => s + (e.kind === 'stream' ? (e.maxBytes ?? 0) : 0), 0);
    expect(reserved).toBeLessThanOrEqual(0.8 * 512 * MiB);
    const events = await jsm.streams.info(t.stream('events'));
    expect(events.config.num_replicas).toBe(3);
    expect(1 + (events.cluster?.replicas?.length ?? 0)).toBe(3);

    pipeline = createPipeline({
      natsUrl: cluster.servers,
      prefix: PREFIX,
      work,
      hosts: expected.hosts.map((h) => ({ name: h.name, root: join(out, h.root) })),
      noAnalyzer: true,
    });
    const p = pipeline;
    await p.start();
    stamp('started');
    const writer = startWriter(held, 10_000);

    // Mid-ingest: the sink has stored events and more wait, the writer has not finished.
    const sinkState = () => consumerState(jsm, t, 'sink-events');
    const before = await waitFor(
      'sink mid-stream',
      async () => {
        const s = await sinkState();
        return s.ackFloor > 0 && s.pending + s.ackPending > 0 && s;
      },
      30_000,
      20,
    );
    const leaderName = (await jsm.streams.info(t.stream('events'))).cluster?.leader;
    expect(leaderName, 'the events stream has a leader').toBeTruthy();
    const leader = cluster.node(leaderName!);
    await leader.kill9();
    stamp('killed');
    const killedAt = `SIGKILL ${leader.name} (events leader) at events seq ${before.ackFloor}, writer ${Math.round(writer.fraction() * 100)}%`;
    const writerFraction = writer.fraction();
    expect(writerFraction, 'the writer was still appending').toBeLessThan(1);

    // The remaining two elect a new leader and the pipeline finishes on them.
    await writer.done;
    const sizeOf = new Map(expected.files.map((f) => [abs(f.path), f.bytes]));
    await waitFor(
      'every file covered in CCTAP_RAW',
      async () => {
        await raw.refresh();
        return [...sizeOf].every(([path, size]) => raw.covers(path, size));
      },
      45_000,
      250,
    );
    stamp('raw covered');
    await waitFor(
      'collectors without checkpoint lag',
      async () => {
        for (const c of p.collectors)
          if (metricValue(await c.metrics(), 'cctap_collector_checkpoint_lag_bytes') !== 0) return false;
        return true;
      },
      20_000,
      200,
    );
    stamp('collectors acked');
    await waitFor(
      'validator and sink idle',
      async () => isIdle(await consumerState(jsm, t, 'validator')) && isIdle(await sinkState()),
      30_000,
      200,
    );
    stamp('consumers idle');
    const after = await jsm.streams.info(t.stream('events'));
    expect(after.cluster?.leader).not.toBe(leader.name);

    const codes = await p.stop();
    stamp('stopped');
    expect(codes).toEqual(Object.fromEntries(p.all.map((x) => [x.name, 0])));

    // Tokens per day and model exactly the generator's accounting, nothing twice, nothing missing (one query:
    // every `cctap sql` opens the embedded store anew, seconds on a busy machine).
    const [row] = JSON.parse(
      await runCli('sql', [
        `SELECT (SELECT count() FROM events FINAL) AS final, (SELECT uniqExact(id) FROM events) AS ids,
           (SELECT count() FROM usage FINAL) AS usageFinal,
           (SELECT uniqExact(message_id, request_id, scope) FROM usage) AS usageKeys,
           (SELECT count() FROM usage_responses) AS responses,
           (SELECT groupArray((path, lines)) FROM
              (SELECT source_path AS path, uniqExact(source_offset) AS lines FROM events GROUP BY path)) AS perPath,
           (SELECT groupArray((day, model, i, o, cw, cr)) FROM
              (SELECT toString(toDate(ts, 'UTC')) AS day, model, sum(input_tokens) AS i, sum(output_tokens) AS o,
                 sum(cache_creation_tokens) AS cw, sum(cache_read_tokens) AS cr
               FROM usage_responses GROUP BY day, model)) AS byDayModel`,
        '--data',
        p.dataDir,
        '--format',
        'json',
      ]),
    ) as {
      final: string;
      ids: string;
      usageFinal: string;
      usageKeys: string;
      responses: string;
      perPath: [string, string][];
      byDayModel: [string, string, string, string, string, string][];
    }[];
    const key = (day: string, model: string) => `${day} ${model}`;
    expect(
      Object.fromEntries(row!.byDayModel.map(([day, model, ...tokens]) => [key(day, model), tokens.map(Number)])),
    ).toEqual(
      Object.fromEntries(
        expected.byDayModel.map((r) => [
          key(r.day, r.model),
          [r.inputTokens, r.outputTokens, r.cacheCreationTokens, r.cacheReadTokens],
        ]),
      ),
    );
    expect(Number(row!.final)).toBe(Number(row!.ids));
    expect(Number(row!.usageFinal)).toBe(Number(row!.usageKeys));
    expect(Number(row!.responses)).toBe(expected.totals.responses);
    const gotLines = new Map(row!.perPath.map(([path, lines]) => [path, Number(lines)]));
    const short = expected.files
      .filter((f) => gotLines.get(abs(f.path)) !== f.lines)
      .map((f) => `${f.path}: ${gotLines.get(abs(f.path)) ?? 0}/${f.lines}`);
    expect(short).toEqual([]);
    stamp('checked');

    console.log(
      `nats cluster: ${expected.totals.files} files, ${expected.totals.lines} lines, ${row!.ids} events, ${row!.responses} responses; ${killedAt}; ` +
        `events leader now ${after.cluster?.leader}; raw batches ${raw.batches} (${raw.resent} re-sent); ${stamps.join(', ')}`,
    );
  }, 240_000); // about 70 s on an idle 2-core machine; the bound is for a loaded one
});
