/**
 * The chaos suite as a library: one run = a generated corpus, the whole multi-process pipeline on a real
 * nats-server (collectors, validator, analyzer, alerter with a real webhook receiver, sink with the embedded
 * ClickHouse), a seeded schedule of SIGKILLs of every component while the collectors ingest and files are
 * still being appended, an optional outage drill, then the audit. Used by `npm run chaos` (the long run),
 * test/chaos/chaos-short.test.ts (the short run and the negative control).
 *
 * Phases:
 *   generate -> provision -> start -> kills (writer appending) -> [outage: NATS down, then the sink down,
 *   a second writer appending] -> quiesce (every byte in CCTAP_RAW, no checkpoint lag, every consumer idle,
 *   every alert delivery settled) -> stop (SIGTERM) -> audit
 * The audit never throws on a failed check: it returns every check with its figures, so the negative
 * control can assert that a loss is reported.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { CONSUMERS, decodeTrustedBatch, topology, type ConsumerKey } from '@cctap/events';
import { connectNats } from '@cctap/kit';
import { startTestReceiver, type TestReceiver } from '@cctap/alerter/testing';
import { generateCorpus, type ExpectedCorpus } from '../../bench/corpus/index.js';
import { startNats, type TestNats } from '../support/nats.js';
import { metricValue, runCli, type CliProcess } from '../e2e/support/cli-process.js';
import { createPipeline, provisionPipeline, type Pipeline } from '../e2e/support/pipeline.js';
import {
  consumerState,
  isIdle,
  manager,
  RawCoverage,
  forEachStored,
  readStream,
} from '../e2e/support/pipeline-state.js';
import { holdBack, startWriter, type HeldBackFile, type Writer } from '../e2e/support/slow-writer.js';
import { auditAlerts, type AlertAudit, type KvDelivery, type NotificationRef } from './alert-audit.js';
import { killSchedule, type Component, type KillPlan } from './kill-schedule.js';
import { waitFor } from '../support/wait-for.js';
import { REPO_ROOT } from '../support/paths.js';

/** Average bytes per generated transcript line (202 MB = 109,714 lines for seed 1), to size the corpus. */
const BYTES_PER_LINE = 1900;

export interface ChaosOptions {
  /** Lines to generate (at least; the generator stops at the session that reaches the size). */
  lines: number;
  hosts: number;
  kills: number;
  /** Every component is killed at least this often. */
  minEach: number;
  seed: number;
  /** Range of the wait before each kill, ms. */
  gapMs: readonly [number, number];
  /** Components that may be killed (default: all). */
  components?: readonly Component[];
  /** TEST-ONLY fault for the sink (negative control), see services/sink/src/service/test-fault.ts. */
  sinkFault?: 'ack-before-insert';
  /** The outage drill after the kills: NATS down, then the store (the sink) down, appends continuing. */
  outage?: { natsDownMs: number; storeDownMs: number };
  /** How long the first writer appends, ms (default: the sum of the kill gaps). */
  writerMs?: number;
  /**
   * Stop the sink (SIGTERM) before the collectors start and bring it back only once the whole corpus waits
   * in CCTAP_EVENTS, so that the kills that follow land on a sink busy with a backlog (the negative control).
   */
  backlogFirst?: boolean;
  /** Kill the sink the moment its ack floor moves (right after an ack) rather than whenever it is busy. */
  killSinkOnAck?: boolean;
  /** Keep the working directory (logs, corpus, store) for inspection. */
  keep?: boolean;
  /**
   * Longest wait for each quiesce step (raw coverage, checkpoint lag, idle consumers); default the long run's
   * (up to 30 min). A run under a test timeout gives less, so a step that never completes ends in the audit,
   * which names what is missing, instead of in the timeout.
   */
  quiesceMs?: number;
  log?: (line: string) => void;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface OutageFigures {
  natsDownMs: number;
  /** From nats-server back until collectors have no checkpoint lag and the validator is idle. */
  natsRecoveryMs: number;
  storeDownMs: number;
  /** Messages waiting for the sink (sink-events + sink-derived + sink-invalid + sink-alerts) when it came back. */
  backlogMessages: number;
  /** From the sink's restart until its consumers were idle. */
  drainMs: number;
  rowsDrained: number;
  rowsPerSecond: number;
  messagesPerSecond: number;
  bytesAppendedDuringOutage: number;
}

export interface ChaosResult {
  seed: number;
  checks: Check[];
  ok: boolean;
  figures: {
    files: number;
    bytes: number;
    lines: number;
    responses: number;
    tokens: number;
    appends: number;
    kills: Record<string, number>;
    killsTotal: number;
    rawBatches: number;
    rawResent: number;
    eventsInStream: number;
    eventsStored: number;
    eventRowsBeforeMerge: number;
    dlqMessages: number;
    alerts: AlertAudit | null;
    outage: OutageFigures | null;
    seconds: { generate: number; ingest: number; total: number };
  };
  timeline: string[];
  workDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The alerter configuration of a chaos run: one webhook receiver, rules that fire often on the corpus. */
function alerterRules(url: string): unknown {
  return {
    // Every notification is audited one by one: no storm cap (it would summarize them).
    receivers: [
      { name: 'chaos', type: 'webhook', url, secret: 'chaos-suite-webhook-secret', cap: { alerts: 10_000_000 } },
    ],
    // The corpus is history: without this, freshness keeps a backfill from firing anything.
    maxEventAge: '36500d',
    rulePack: false,
    inhibitEqual: [],
    defaults: { groupWait: '0s', groupInterval: '1s', repeatInterval: '24h', resolveAfter: '24h' },
    rules: [
      // One alert per session that runs Bash, updated at most every second while its calls stream in.
      {
        name: 'bash-call',
        kind: 'match',
        severity: 'warning',
        types: ['tool.call'],
        where: [{ field: 'payload.name', equals: 'Bash' }],
        groupBy: ['host', 'sessionId'],
      },
      // One per session start the analyzer derives: alerts that depend on a second service.
      {
        name: 'session-start',
        kind: 'match',
        severity: 'info',
        source: 'derived',
        types: ['session.start'],
        groupBy: ['host', 'sessionId'],
      },
    ],
  };
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'cctap-chaos-'));
  let passed = false;
  const prefix = `chaos${process.pid}x${Math.floor(Math.random() * 1e6)}`;
  const t = topology(prefix);
  const timeline: string[] = [];
  const note = (s: string) => {
    const line = `${((Date.now() - started) / 1000).toFixed(1)}s ${s}`;
    timeline.push(line);
    log(line);
  };

  log(
    `chaos: seed ${o.seed}, ${o.lines} lines, ${o.hosts} hosts, ${o.kills} kills (each component >= ${o.minEach})${o.sinkFault ? `, TEST-ONLY sink fault ${o.sinkFault}` : ''}; work dir ${work}`,
  );
  const { expected, out } = generateCorpus({
    out: join(work, 'corpus'),
    size: o.lines * BYTES_PER_LINE,
    seed: o.seed,
    hosts: o.hosts,
    days: 7,
    startDate: '2026-03-02',
  });
  const generated = Date.now();
  log(
    `corpus: ${expected.totals.files} files, ${(expected.totals.bytes / 1e6).toFixed(1)} MB, ${expected.totals.lines} lines in ${((generated - started) / 1000).toFixed(1)} s`,
  );
  const abs = (rel: string) => join(out, ...rel.split('/'));

  // Files still being written: per host the two largest keep a quarter of their lines and the smallest does
  // not exist yet (writer 1, during the kills); with an outage drill the next two keep half (writer 2).
  const heldKills: HeldBackFile[] = [];
  const heldOutage: HeldBackFile[] = [];
  for (const h of expected.hosts) {
    const mine = expected.files
      .filter((f) => f.host === h.name && f.lines > 4)
      .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
    mine.slice(0, 2).forEach((f, i) => heldKills.push(holdBack(abs(f.path), Math.ceil(f.lines / 4), i % 2 === 0)));
    if (mine.length > 5) heldKills.push(holdBack(abs(mine[mine.length - 1]!.path), 0, false));
    if (o.outage)
      mine.slice(2, 4).forEach((f, i) => heldOutage.push(holdBack(abs(f.path), Math.ceil(f.lines / 2), i % 2 === 1)));
  }

  let nats: TestNats | null = null;
  let nc: NatsConnection | null = null;
  let raw: RawCoverage | null = null;
  let receiver: TestReceiver | null = null;
  let pipeline: Pipeline | null = null;
  try {
    nats = await startNats({ requireControl: true });
    receiver = await startTestReceiver();
    await provisionPipeline(nats.url, prefix, {
      maxBytes: Math.max(1024 ** 3, Math.ceil(expected.totals.bytes * 2.5)),
    });
    pipeline = createPipeline({
      natsUrl: nats.url,
      prefix,
      work,
      hosts: expected.hosts.map((h) => ({ name: h.name, root: join(out, h.root) })),
      alerterRules: alerterRules(receiver.url),
      ...(o.sinkFault ? { env: { sink: { CCTAP_TEST_FAULT: o.sinkFault } } } : {}),
    });
    const p = pipeline;
    const n = nats;
    await p.start();
    nc = await connectNats({ servers: n.url, name: 'chaos-audit' });
    const jsm = await manager(nc);
    raw = new RawCoverage(nc, t);
    if (o.backlogFirst) {
      await p.sink.stop();
      const rawRef = raw;
      const covered = expected.files.filter((f) => !heldKills.some((h) => h.path === abs(f.path)));
      await waitFor(
        'the corpus in CCTAP_EVENTS',
        async () => {
          await rawRef.refresh();
          return (
            covered.every((f) => rawRef.covers(abs(f.path), f.bytes)) &&
            isIdle(await consumerState(jsm, t, 'validator'))
          );
        },
        300_000,
        200,
      );
      await p.sink.start(120_000);
      note('sink back with the corpus waiting in CCTAP_EVENTS');
    }
    note(`pipeline ready: ${p.all.map((x) => x.name).join(', ')}`);

    // ---- kills, while the collectors ingest and writer 1 appends ----------------------------------------
    const plan = killSchedule({
      seed: o.seed,
      kills: o.kills,
      minEach: o.minEach,
      gapMs: o.gapMs,
      ...(o.components ? { components: o.components } : {}),
    });
    const writerMs = o.writerMs ?? plan.reduce((s, k) => s + k.gapMs, 0);
    const writer1 = startWriter(heldKills, writerMs);
    const kills: Record<string, number> = {};
    let possibleDuplicates = 0;
    const alerterKills: number[] = [];
    const readDuplicates = async (): Promise<number> => {
      try {
        return metricValue(await p.alerter!.metrics(), 'cctap_alerter_possible_duplicate_notifications_total') ?? 0;
      } catch (err) {
        note(`could not read the alerter's possible-duplicate counter: ${(err as Error).message}`);
        return 0;
      }
    };
    const busy = async (key: ConsumerKey) => {
      const s = await consumerState(jsm, t, key);
      return !isIdle(s);
    };
    /** A waitFor condition: none of `keys` has anything pending or unacknowledged. */
    const allIdle = (keys: readonly ConsumerKey[]) => async () => {
      for (const key of keys) if (await busy(key)) return false;
      return true;
    };
    const serviceOf = (target: Component, k: KillPlan): { proc: CliProcess; consumer: ConsumerKey | null } => {
      switch (target) {
        case 'collector':
          return { proc: p.collectors[k.pick % p.collectors.length]!, consumer: null };
        case 'validator':
          return { proc: p.validator, consumer: 'validator' };
        case 'analyzer':
          return { proc: p.analyzer!, consumer: 'analyzer' };
        case 'alerter':
          return { proc: p.alerter!, consumer: 'alerter-events' };
        case 'sink':
          return { proc: p.sink, consumer: 'sink-events' };
        default:
          throw new Error(`no process for ${target}`);
      }
    };
    for (const k of plan) {
      await sleep(k.gapMs);
      if (k.target === 'nats-server') {
        await n.stop({ hard: true });
        await sleep(k.downMs);
        await n.start();
        note(`SIGKILL nats-server, down ${k.downMs} ms (writer ${Math.round(writer1.fraction() * 100)}%)`);
      } else {
        const { proc, consumer } = serviceOf(k.target, k);
        // Prefer a moment when the service has work delivered or waiting (up to 3 s), to kill it mid-stream.
        let context = '';
        if (consumer === 'sink-events' && o.killSinkOnAck) {
          const floor = (await consumerState(jsm, t, consumer)).ackFloor;
          const deadline = Date.now() + 5000;
          while (Date.now() < deadline && (await consumerState(jsm, t, consumer)).ackFloor === floor) await sleep(10);
        } else if (consumer) {
          const deadline = Date.now() + 3000;
          while (Date.now() < deadline && !(await busy(consumer).catch(() => false))) await sleep(50);
          const s = await consumerState(jsm, t, consumer).catch(() => null);
          if (s) context = ` at ack floor ${s.ackFloor}, ${s.ackPending} unacked, ${s.pending} pending`;
        }
        if (proc === p.alerter) possibleDuplicates += await readDuplicates();
        await proc.kill9();
        if (proc === p.alerter) alerterKills.push(Date.now());
        note(`SIGKILL ${proc.name}${context} (writer ${Math.round(writer1.fraction() * 100)}%)`);
        await proc.start(120_000);
      }
      kills[k.target] = (kills[k.target] ?? 0) + 1;
    }
    const { appends: appends1 } = await writer1.done;
    note(`kills done; writer 1 finished (${appends1} appends)`);

    // ---- outage drill ---------------------------------------------------------------------------------
    let outage: OutageFigures | null = null;
    let appends2 = 0;
    if (o.outage) {
      const writer2: Writer = startWriter(heldOutage, o.outage.natsDownMs + o.outage.storeDownMs);
      const outageBytes = heldOutage.reduce((s, f) => s + f.full.length - f.kept, 0);
      await n.stop();
      note(`outage: nats-server stopped for ${o.outage.natsDownMs} ms (writer 2 appending)`);
      await sleep(o.outage.natsDownMs);
      await n.start();
      const back = Date.now();
      note('outage: nats-server back');
      // The store outage: with the embedded engine the store lives inside the sink process, so "the store is
      // down" is the sink process being gone (SIGKILL); the backlog waits in JetStream.
      await p.sink.kill9();
      const sinkDown = Date.now();
      note(`outage: sink (embedded store) down for ${o.outage.storeDownMs} ms`);
      await waitFor(
        'collectors caught up after the NATS outage',
        async () => {
          for (const c of p.collectors)
            if (metricValue(await c.metrics(), 'cctap_collector_checkpoint_lag_bytes') !== 0) return false;
          return !(await busy('validator'));
        },
        300_000,
        200,
      );
      const natsRecoveryMs = Date.now() - back;
      await sleep(Math.max(0, o.outage.storeDownMs - (Date.now() - sinkDown)));
      ({ appends: appends2 } = await writer2.done);
      const sinkKeys = ['sink-events', 'sink-derived', 'sink-invalid', 'sink-alerts'] as const;
      let backlogMessages = 0;
      for (const key of sinkKeys) {
        const s = await consumerState(jsm, t, key);
        backlogMessages += s.pending + s.ackPending;
      }
      const restart = Date.now();
      await p.sink.start(120_000);
      note(`outage: sink restarted with ${backlogMessages} messages waiting`);
      await waitFor('the sink drained its backlog', allIdle(sinkKeys), 600_000, 100);
      const drainMs = Date.now() - restart;
      const rowsDrained = metricValue(await p.sink.metrics(), 'cctap_sink_rows_total') ?? 0;
      outage = {
        natsDownMs: o.outage.natsDownMs,
        natsRecoveryMs,
        storeDownMs: restart - sinkDown,
        backlogMessages,
        drainMs,
        rowsDrained,
        rowsPerSecond: Math.round(rowsDrained / (drainMs / 1000)),
        messagesPerSecond: Math.round(backlogMessages / (drainMs / 1000)),
        bytesAppendedDuringOutage: outageBytes,
      };
      note(
        `outage: backlog of ${backlogMessages} messages (${rowsDrained} rows) drained in ${(drainMs / 1000).toFixed(1)} s`,
      );
    }

    // ---- quiesce --------------------------------------------------------------------------------------
    const sizeOf = new Map(expected.files.map((f) => [abs(f.path), f.bytes]));
    const rawRef = raw;
    await waitFor(
      'every file covered in CCTAP_RAW',
      async () => {
        await rawRef.refresh();
        return [...sizeOf].every(([path, size]) => rawRef.covers(path, size));
      },
      o.quiesceMs ?? 900_000,
      500,
    ).catch((err: Error) => note(`quiesce: ${err.message}`));
    await waitFor(
      'collectors without checkpoint lag',
      async () => {
        for (const c of p.collectors)
          if (metricValue(await c.metrics(), 'cctap_collector_checkpoint_lag_bytes') !== 0) return false;
        return true;
      },
      o.quiesceMs ?? 120_000,
    ).catch((err: Error) => note(`quiesce: ${err.message}`));
    const consumers = (Object.keys(CONSUMERS) as ConsumerKey[]).filter((k) => k !== 'dlq-forwarder');
    await waitFor('every consumer idle', allIdle(consumers), o.quiesceMs ?? 1_800_000, 250).catch((err: Error) =>
      note(`quiesce: ${err.message}`),
    );
    const ingestDone = Date.now();
    note('pipeline idle');

    const kvm = new Kvm(nc);
    const alertsKv = await kvm.open(t.bucket('alerts'));
    const readRecords = async () => {
      const records: { key: string; notifyAt: number | null; deliveries: Record<string, KvDelivery> }[] = [];
      const keys: string[] = [];
      for await (const key of await alertsKv.keys()) keys.push(key);
      for (const key of keys) {
        const e = await alertsKv.get(key);
        if (e && e.operation === 'PUT' && e.value.length > 0)
          records.push(JSON.parse(new TextDecoder().decode(e.value)) as (typeof records)[number]);
      }
      return records;
    };
    // Alert deliveries settle: nothing due, nothing pending or mid-request.
    await waitFor(
      'alert deliveries settled',
      async () => {
        const records = await readRecords();
        return records.every(
          (r) =>
            r.notifyAt === null && Object.values(r.deliveries).every((d) => d.state === 'sent' || d.state === 'failed'),
        );
      },
      120_000,
      500,
    ).catch((err: Error) => note(`quiesce: ${err.message}`));
    await sleep(1500); // the last CCTAP_ALERTS publishes follow their notification
    possibleDuplicates += await readDuplicates();
    const records = await readRecords();

    // ---- stop, then audit -----------------------------------------------------------------------------
    // A collector's heartbeat can fire in the moment before it stops: let it reach the store before the sink
    // stops, or it is in CCTAP_EVENTS and not stored (the audit below compares the two).
    const codes = await p.stop({
      afterCollectors: () =>
        waitFor('every consumer idle after the collectors stopped', allIdle(consumers), 30_000, 100).then(
          () => undefined,
          (err: Error) => note(`stop: ${err.message}`),
        ),
    });
    const notZero = Object.entries(codes).filter(([, c]) => c !== 0);
    await raw.refresh();

    const checks: Check[] = [];
    const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
    check(
      'clean shutdown',
      notZero.length === 0,
      notZero.length === 0
        ? 'every process exited 0 on SIGTERM'
        : notZero.map(([k, c]) => `${k} exited ${c}`).join(', '),
    );

    const uncovered = [...sizeOf]
      .filter(([path, size]) => !raw!.covers(path, size))
      .map(([path]) => path.slice(out.length + 1));
    check(
      'raw byte coverage',
      uncovered.length === 0,
      `${sizeOf.size - uncovered.length}/${sizeOf.size} files covered contiguously by the raw batches the validator passed on${uncovered.length ? `; not: ${uncovered.slice(0, 5).join(', ')}` : ''}`,
    );

    const sql = async <T>(q: string): Promise<T[]> =>
      JSON.parse(await runCli('sql', [q, '--data', p.dataDir, '--format', 'json'], { timeoutMs: 300_000 })) as T[];
    const perPath = await sql<{ path: string; lines: string }>(
      'SELECT source_path AS path, uniqExact(source_offset) AS lines FROM events GROUP BY path',
    );
    const gotLines = new Map(perPath.map((r) => [r.path, Number(r.lines)]));
    const short = expected.files.filter((f) => gotLines.get(abs(f.path)) !== f.lines);
    const linesStored = expected.files.reduce((s, f) => s + Math.min(f.lines, gotLines.get(abs(f.path)) ?? 0), 0);
    check(
      'every line stored',
      short.length === 0,
      `${linesStored}/${expected.totals.lines} lines (distinct offsets per file == generator counts)${
        short.length
          ? `; short: ${short
              .slice(0, 5)
              .map((f) => `${f.path} ${gotLines.get(abs(f.path)) ?? 0}/${f.lines}`)
              .join(', ')}`
          : ''
      }`,
    );

    const streamIds = new Set<string>();
    await forEachStored(nc, t, 'events', (m) => {
      for (const e of decodeTrustedBatch(m.data).events) streamIds.add(e.id);
    });
    const [ev] = await sql<{ final: string; ids: string; stored: string }>(
      'SELECT (SELECT count() FROM events FINAL) AS final, (SELECT uniqExact(id) FROM events) AS ids, (SELECT count() FROM events) AS stored',
    );
    const eventsStored = Number(ev!.final);
    check(
      'deduplicated events',
      eventsStored === streamIds.size && Number(ev!.ids) === eventsStored,
      `${eventsStored} events in the store (FINAL), ${ev!.ids} distinct ids, ${streamIds.size} distinct ids published to CCTAP_EVENTS`,
    );

    const [us] = await sql<{ responses: string }>('SELECT count() AS responses FROM usage_responses');
    check(
      'API responses',
      Number(us!.responses) === expected.totals.responses,
      `${us!.responses} responses stored, ${expected.totals.responses} expected`,
    );
    const usage = await compareDaily(p.dataDir, expected);
    check('usage totals (report daily --json vs expected.json)', usage.ok, usage.detail);

    const dlq = await forEachStored(nc, t, 'dlq', () => undefined);
    check('no dead letters', dlq === 0, `${dlq} messages in CCTAP_DLQ`);

    const published: NotificationRef[] = (await readStream(nc, t, 'alerts')).map(
      (m) => JSON.parse(new TextDecoder().decode(m.data)) as NotificationRef,
    );
    const audit = auditAlerts({
      published,
      records,
      receiverName: 'chaos',
      requests: receiver.requests,
      possibleDuplicatesCounted: possibleDuplicates,
      alerterKills,
    });
    check(
      'alerts fired',
      audit.alertsPublished > 0,
      `${audit.alertsPublished} alerts, ${audit.notificationsPublished} notifications published to CCTAP_ALERTS`,
    );
    check(
      'no alert lost',
      audit.lost.length === 0 && audit.undelivered.length === 0,
      `${audit.notificationsReceived} notifications received in ${audit.requests} requests; lost ${audit.lost.length}${audit.lost.length ? ` (${audit.lost.slice(0, 3).join(', ')})` : ''}; undelivered KV records ${audit.undelivered.length}${audit.undelivered.length ? ` (${audit.undelivered.slice(0, 3).join(', ')})` : ''}`,
    );
    check(
      'duplicates only inside the counted window',
      audit.duplicates <= audit.possibleDuplicatesCounted,
      `${audit.duplicates} duplicate receipts <= ${audit.possibleDuplicatesCounted} counted by cctap_alerter_possible_duplicate_notifications_total${audit.duplicatesWithoutRestart.length ? `; without an alerter restart between the receipts: ${audit.duplicatesWithoutRestart.slice(0, 5).join(', ')}` : ''}`,
    );

    const end = Date.now();
    passed = checks.every((c) => c.ok);
    return {
      seed: o.seed,
      checks,
      ok: passed,
      figures: {
        files: expected.totals.files,
        bytes: expected.totals.bytes,
        lines: expected.totals.lines,
        responses: expected.totals.responses,
        tokens:
          expected.totals.inputTokens +
          expected.totals.outputTokens +
          expected.totals.cacheCreationTokens +
          expected.totals.cacheReadTokens,
        appends: appends1 + appends2,
        kills,
        killsTotal: Object.values(kills).reduce((s, x) => s + x, 0),
        rawBatches: raw.batches,
        rawResent: raw.resent,
        eventsInStream: streamIds.size,
        eventsStored,
        eventRowsBeforeMerge: Number(ev!.stored),
        dlqMessages: dlq,
        alerts: audit,
        outage,
        seconds: {
          generate: (generated - started) / 1000,
          ingest: (ingestDone - generated) / 1000,
          total: (end - started) / 1000,
        },
      },
      timeline,
      workDir: work,
    };
  } finally {
    await pipeline?.kill();
    await raw?.close().catch(() => undefined);
    await nc?.close().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    await nats?.dispose().catch(() => undefined);
    if (!o.keep) {
      // A failed run keeps its processes' logs for a post-mortem (the work dir may be on the tests' tmpfs, removed
      // when they end); the negative control's failure is the expected one.
      if (!passed && !o.sinkFault) keepLogs(work, o.seed, log);
      rmSync(work, { recursive: true, force: true });
    }
  }
}

/** Copies a failed run's logs under .cctap-test/ in the repository (git ignores it) and says where. */
function keepLogs(work: string, seed: number, log: (line: string) => void): void {
  const to = join(REPO_ROOT, '.cctap-test', `chaos-${seed}-${Date.now()}`);
  try {
    cpSync(join(work, 'logs'), join(to, 'logs'), { recursive: true });
    log(`chaos: the failed run's logs are kept in ${to}`);
  } catch (err) {
    log(`chaos: could not keep the failed run's logs: ${(err as Error).message}`);
  }
}

async function compareDaily(dataDir: string, expected: ExpectedCorpus): Promise<{ ok: boolean; detail: string }> {
  type Breakdown = {
    modelName: string;
    inputTokens: number;
    outputTokens: number;
    cacheCreationTokens: number;
    cacheReadTokens: number;
  };
  const daily = JSON.parse(
    await runCli('report', ['daily', '--json', '--tz', 'UTC', '--data', dataDir], { timeoutMs: 300_000 }),
  ) as { daily: Array<{ date: string; modelBreakdowns: Breakdown[] }> };
  const key = (r: { day: string; model: string }) => `${r.day} ${r.model}`;
  const fmt = (r: {
    inputTokens: number;
    outputTokens: number;
    cacheCreationTokens: number;
    cacheReadTokens: number;
  }) => `${r.inputTokens}/${r.outputTokens}/${r.cacheCreationTokens}/${r.cacheReadTokens}`;
  const got = new Map(
    daily.daily.flatMap((d) =>
      d.modelBreakdowns.map((b) => [key({ day: d.date, model: b.modelName }), fmt(b)] as const),
    ),
  );
  const want = new Map(expected.byDayModel.map((r) => [key(r), fmt(r)] as const));
  const diff = [...new Set([...got.keys(), ...want.keys()])].filter((k) => got.get(k) !== want.get(k)).sort();
  const tokens = (m: Map<string, string>) =>
    [...m.values()].reduce((s, v) => s + v.split('/').reduce((a, x) => a + Number(x), 0), 0);
  return {
    ok: diff.length === 0,
    detail: `${got.size} day/model rows, ${tokens(got)} tokens reported, ${tokens(want)} expected${
      diff.length
        ? `; differ: ${diff
            .slice(0, 4)
            .map((k) => `${k} got ${got.get(k) ?? '-'} want ${want.get(k) ?? '-'}`)
            .join('; ')}`
        : ''
    }`,
  };
}

/** The figures of a run as printable lines. */
export function formatChaos(r: ChaosResult): string {
  const f = r.figures;
  const a = f.alerts;
  const lines = [
    `chaos seed ${r.seed}: ${r.ok ? 'ALL CHECKS PASSED' : 'CHECKS FAILED'} in ${f.seconds.total.toFixed(0)} s (generate ${f.seconds.generate.toFixed(0)} s, ingest with kills ${f.seconds.ingest.toFixed(0)} s)`,
    `  corpus: ${f.files} files, ${(f.bytes / 1e6).toFixed(1)} MB, ${f.lines} lines, ${f.responses} API responses, ${f.tokens} tokens; ${f.appends} appends while running`,
    `  kills: ${f.killsTotal} (${Object.entries(f.kills)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
    `  raw batches ${f.rawBatches} (${f.rawResent} re-sent after kills); events ${f.eventsStored} stored / ${f.eventsInStream} published (${f.eventRowsBeforeMerge} rows before merges); dead letters ${f.dlqMessages}`,
    ...(a
      ? [
          `  alerts: ${a.alertsPublished} alerts, ${a.notificationsPublished} notifications published, ${a.notificationsReceived} received in ${a.requests} requests, lost ${a.lost.length}, duplicates ${a.duplicates} (counted window ${a.possibleDuplicatesCounted})`,
        ]
      : []),
    ...(f.outage
      ? [
          `  outage: NATS down ${(f.outage.natsDownMs / 1000).toFixed(0)} s (caught up ${(f.outage.natsRecoveryMs / 1000).toFixed(1)} s after), store down ${(f.outage.storeDownMs / 1000).toFixed(0)} s; backlog ${f.outage.backlogMessages} messages / ${f.outage.rowsDrained} rows drained in ${(f.outage.drainMs / 1000).toFixed(1)} s = ${f.outage.rowsPerSecond} rows/s, ${f.outage.messagesPerSecond} msg/s; ${(f.outage.bytesAppendedDuringOutage / 1e6).toFixed(1)} MB appended during the outage`,
        ]
      : []),
    ...r.checks.map((c) => `  [${c.ok ? 'ok' : 'FAIL'}] ${c.name}: ${c.detail}`),
  ];
  return lines.join('\n');
}
