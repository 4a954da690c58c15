/**
 * What `cctap up` does (up.ts declares it): the whole pipeline in one process, its terminal and its summary.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { topology } from '@cctap/events';
import { COLLECTOR_VERSION, identityFrom, resolveRoots, type CollectorProgress } from '@cctap/collector';
import {
  ConfigError,
  createLogger,
  createMetrics,
  redactConfig,
  runServices,
  sleep,
  startProbeServer,
  type Metrics,
  type ProbeServer,
} from '@cctap/kit';
import { DEFAULT_DATA_DIR, type Store } from '@cctap/store';
import { assemblePipeline, StoreLockedError, type Pipeline } from '../up/assemble-pipeline.js';
import { DemoFixturesMissingError, prepareDemo, type DemoReplay } from '../up/demo.js';
import { InstanceLockedError } from '../up/instance-file.js';
import { LiveFeed } from '../up/live-feed.js';
import { LiveSessions } from '../web/live-sessions.js';
import { loadRuleFile } from '@cctap/alerter';
import { createPageHandler } from '../web/web-routes.js';
import { storeTotals, todayLine, totalsLine } from '../up/store-summary.js';
import { TerminalUi, type UiMode } from '../up/terminal-ui.js';
import { parseUpArgs, type UpConfig } from '../up/up-config.js';
import { ENV } from '../environment.js';
import { usageExit, withHelpHint } from '../flags/usage-exit.js';
import { explicitlySet } from '../explicit-option.js';
import { mb } from '../progress-format.js';
import { priceBookOf } from '../price-book-of.js';
import { EXIT } from '../exit-codes.js';

/** The sum of a counter's series (those whose labels pass `where`, when given); 0 when it does not exist. */
async function counter(
  metrics: Metrics,
  name: string,
  where: (labels: Partial<Record<string, string | number>>) => boolean = () => true,
): Promise<number> {
  const m = metrics.registry.getSingleMetric(name);
  if (!m) return 0;
  return (await m.get()).values.filter((x) => where(x.labels)).reduce((n, x) => n + x.value, 0);
}

/** What the collector did in this run (the metrics count every run from zero). */
async function collectorRun(metrics: Metrics) {
  return {
    eventsPublished: await counter(metrics, 'cctap_collector_events_published_total'),
    batchesPublished: await counter(metrics, 'cctap_collector_batches_published_total'),
    bytesRead: await counter(metrics, 'cctap_collector_read_bytes_total'),
  };
}

/**
 * What this run did not store as it was written. Malformed lines are stored (as `malformed` events) and
 * invalid events land in `invalid_events`: counted so a user sees them. Dead letters are not in the store
 * (they are in the dead-letter file) and files skipped were not read: either makes `--once` exit 3.
 */
async function notStored(metrics: Metrics, deadLetters: number) {
  return {
    deadLettered: deadLetters,
    filesSkipped: await counter(metrics, 'cctap_collector_files_skipped_total', (l) => l.reason !== 'since'),
    malformedLines: await counter(metrics, 'cctap_collector_lines_total', (l) => l.outcome === 'malformed'),
    invalidEvents: await counter(metrics, 'cctap_validator_events_total', (l) => l.result === 'invalid'),
  };
}

function notStoredLines(d: Awaited<ReturnType<typeof notStored>>, deadLetterPath: string | null): string[] {
  const out: string[] = [];
  if (d.deadLettered > 0)
    out.push(
      `  not stored: ${d.deadLettered} messages dead-lettered${deadLetterPath ? ` (kept in ${deadLetterPath})` : ''}`,
    );
  if (d.filesSkipped > 0)
    out.push(
      `  not read: ${d.filesSkipped} transcript-named entries that are not regular files (see the warnings above)`,
    );
  if (d.malformedLines > 0) out.push(`  stored as malformed: ${d.malformedLines} lines that are not JSON objects`);
  if (d.invalidEvents > 0)
    out.push(`  stored as invalid: ${d.invalidEvents} events the validator rejected (table invalid_events)`);
  return out;
}

/**
 * Waits until the collector has read every byte the demo wrote (a watch event can come a moment after the
 * write; bounded, the replay is small), then until it is all stored, and summarizes the demo sessions.
 */
async function replayStored(d: DemoReplay, metrics: Metrics, pipeline: Pipeline): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until && (await counter(metrics, 'cctap_collector_read_bytes_total')) < d.bytes) await sleep(100);
  await pipeline.drained();
  await pipeline.analyzer.tick({ settled: true });
  await pipeline.drained();
}

/** A path as one shell word, for a command line a user copies. */
const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function uiModeOf(cfg: UpConfig): UiMode {
  if (cfg.quiet) return 'quiet';
  return process.stdout.isTTY === true && cfg.logFormat === 'pretty' ? 'tty' : 'plain';
}

/** A terminal shows warnings only unless a level was asked for; logs are the output everywhere else. */
function logLevelOf(cfg: UpConfig, mode: UiMode, argv: readonly string[]): UpConfig['logLevel'] {
  if (explicitlySet(argv, '--log-level', ENV)) return cfg.logLevel;
  return mode === 'plain' ? cfg.logLevel : 'warn';
}

/** The work, once the command line does not ask for the help (up.ts answers that without loading this). */
export async function runUp(argv: string[]): Promise<number> {
  let cfg: UpConfig;
  try {
    cfg = parseUpArgs(argv);
  } catch (err) {
    const usage = usageExit('up', err);
    if (usage !== null) return usage;
    if (!(err instanceof ConfigError)) throw err;
    console.error(`cctap up: ${withHelpHint('up', err.message)}`);
    return EXIT.usage;
  }
  let book;
  try {
    book = priceBookOf(cfg.prices);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`cctap up: ${err.message}`);
    return EXIT.usage;
  }
  const startedAt = Date.now();
  const mode = uiModeOf(cfg);
  // eslint-disable-next-line prefer-const -- the logger writes through the UI, which needs the logger
  let ui: TerminalUi;
  const log = createLogger({
    service: 'up',
    level: logLevelOf(cfg, mode, argv),
    format: cfg.logFormat,
    ...(mode === 'tty' ? { write: (line: string) => ui.writeLog(line) } : {}),
  });
  ui = new TerminalUi(mode, log);

  // --demo: a temporary Claude config dir (and store, unless one was named) that the replay writes into.
  let demoDir: string | null = null;
  let roots: string[];
  if (cfg.demo) {
    demoDir = mkdtempSync(join(tmpdir(), 'cctap-demo-'));
    roots = [join(demoDir, 'claude')];
    mkdirSync(roots[0]!, { recursive: true });
    if (!cfg.data && !cfg.clickhouse) cfg = { ...cfg, data: join(demoDir, 'data') };
    cfg = { ...cfg, guardDecisions: '' }; // the demo replays sample sessions, not this machine's guard
  } else {
    roots = resolveRoots({ roots: cfg.root, env: ENV });
  }
  const cleanupDemo = () => {
    if (demoDir) rmSync(demoDir, { recursive: true, force: true });
  };
  const { host, user } = identityFrom(cfg, ENV.USER);
  log.info('config', { ...redactConfig(cfg), host, user, roots });
  const metrics = createMetrics('up');
  const feed = new LiveFeed(topology(cfg.prefix || undefined));
  const liveSessions = new LiveSessions(topology(cfg.prefix || undefined));
  let latest: CollectorProgress | null = null;

  let dropped = { deadLettered: 0, filesSkipped: 0, malformedLines: 0, invalidEvents: 0 };
  const summarize = async (store: Store) => {
    const run = await collectorRun(metrics);
    dropped = await notStored(metrics, pipelineRef?.deadLetters?.count() ?? 0);
    const totals = await storeTotals(store);
    const seconds = (Date.now() - startedAt) / 1000;
    const files = Math.max(latest?.filesTotal ?? 0, pipelineRef?.collector.health().files ?? 0);
    // Stopped already: what a receiver has not taken yet stays in the alert store for the next start.
    const alertsPending = pipelineRef?.alerter.pendingDeliveries() ?? { toSend: 0, toSummarize: 0 };
    const pendingLine =
      alertsPending.toSend + alertsPending.toSummarize > 0
        ? [
            `  alerts: ${alertsPending.toSend} deliveries still pending${alertsPending.toSummarize > 0 ? `, ${alertsPending.toSummarize} suppressed alerts still to be told in a summary` : ''} (kept in ${pipelineRef!.alertStateLabel}; sent when cctap up starts again)`,
          ]
        : [];
    if (cfg.logFormat === 'json') {
      ui.final([
        JSON.stringify({
          msg: 'summary',
          seconds,
          files,
          collector: run,
          store: totals,
          notStored: dropped,
          alertsPending,
        }),
      ]);
    } else {
      ui.final([
        // --once that read everything is done; one stopped by a signal (or a live run) stopped.
        cfg.once && pipelineRef?.collector.health().backfillDone
          ? `cctap up --once: done in ${seconds.toFixed(1)}s`
          : `cctap up: stopped after ${seconds.toFixed(1)}s`,
        `  collector: ${files} files, ${mb(run.bytesRead)} read, ${run.eventsPublished.toLocaleString('en-US')} events published in ${run.batchesPublished} batches`,
        `  ${totalsLine(totals)}`,
        ...notStoredLines(dropped, pipelineRef?.deadLetters?.path ?? null),
        ...pendingLine,
      ]);
    }
  };

  // The demo is checked before anything starts; with --once its files are written in full first
  // (a one-shot collector lists the tree once, at start).
  let demo: DemoReplay | null = null;
  if (demoDir) {
    try {
      demo = prepareDemo({ root: roots[0]!, speed: cfg.once ? 100 : cfg.demoSpeed });
      if (cfg.once) {
        demo.start();
        await demo.done;
      }
    } catch (err) {
      cleanupDemo();
      if (!(err instanceof DemoFixturesMissingError)) throw err;
      console.error(`cctap up: ${err.message}`);
      return EXIT.failure;
    }
  }

  // `cctap report` and `cctap sql` find this store by its --data (the default one needs none).
  const storeArgs =
    !cfg.clickhouse && cfg.data && resolve(cfg.data) !== resolve(DEFAULT_DATA_DIR)
      ? ` --data ${shellWord(cfg.data)}`
      : '';
  const startDemo = (d: DemoReplay) => {
    d.start();
    ui.status(
      `demo: replaying ${d.files} sample transcripts (${d.lines} lines) over ~${Math.round(d.durationMs / 1000)}s`,
      { files: d.files, lines: d.lines },
    );
    void d.done
      .then(async () => {
        if (!d.finishedAllLines) return;
        // Every line in the store and every session summarized, so the reports the hint names show it all.
        await replayStored(d, metrics, pipeline);
        ui.status(
          `demo: every line replayed and stored. In another terminal: npx cctap report session --detail${storeArgs} | npx cctap report daily${storeArgs} | npx cctap sql "SELECT type, count() FROM events GROUP BY type"${storeArgs}; Ctrl-C stops`,
          {},
        );
      })
      .catch((err: unknown) => log.debug('demo end failed', { err }));
  };

  let pipeline: Pipeline;
  let pipelineRef: Pipeline | null = null;
  let probe: ProbeServer | null = null;
  try {
    // The probe port first: a taken --metrics-port fails at once, before the store opens or a server is
    // awaited, and /livez answers while NATS or ClickHouse is awaited.
    probe = await startProbeServer({ port: cfg.metricsPort, host: cfg.metricsHost, metrics, logger: log });
    pipeline = await assemblePipeline({
      cfg,
      roots,
      host,
      user,
      logger: log,
      metrics,
      prices: book,
      onPublished: (subject, data) => {
        feed.observe(subject, data);
        liveSessions.observe(subject, data);
      },
      beforeClose: summarize,
      page: (store) =>
        createPageHandler({
          store,
          logger: log,
          live: liveSessions,
          budgets: cfg.rules ? async () => (await loadRuleFile(cfg.rules!, ENV)).budgets : null,
        }),
    });
  } catch (err) {
    await probe?.close();
    cleanupDemo();
    if (err instanceof InstanceLockedError || err instanceof StoreLockedError) {
      console.error(`cctap up: ${err.message}`);
      return EXIT.failure;
    }
    throw err;
  }
  pipelineRef = pipeline;
  const { collector } = pipeline;
  collector.events.on('progress', (p) => {
    latest = p;
    ui.progress(p);
  });
  collector.events.on('backfill-done', (p) => {
    latest = p;
    feed.goLive();
    liveSessions.goLive();
    ui.backfillDone(p, { tallies: feed.tallies, active: pipeline.analyzer.engine.stats().active, once: cfg.once });
    // The replay begins once the (empty) demo files are backfilled: every line of it is live.
    if (demo && !cfg.once) startDemo(demo);
    // Everything on disk is read: sessions quiet for longer than the end timeout end now, not once the
    // analyzer's settle delay has passed (the feed counts those ends as history, see live-feed.ts).
    if (!cfg.once) {
      void pipeline
        .drained()
        .then(() => pipeline.analyzer.tick({ settled: true }))
        .catch((err: unknown) => log.debug('ending history sessions failed; the timer ends them', { err }));
    }
    if (p.filesTotal === 0 && !cfg.demo && !cfg.once) {
      ui.status(
        `no Claude Code transcripts under ${roots.join(', ')} yet; waiting for sessions. To see cctap work now: npm start -- --demo`,
        {},
      );
    }
  });
  feed.on('item', (i) => ui.item(i));

  const running = await runServices({
    services: pipeline.services,
    logger: log,
    metrics,
    probe,
    shutdownTimeoutMs: cfg.shutdownTimeoutMs,
  });
  const probeHost = cfg.metricsHost === '0.0.0.0' ? '127.0.0.1' : cfg.metricsHost;
  const backlog = collector.progressNow();
  ui.banner({
    version: `collector ${COLLECTOR_VERSION}`,
    bus: pipeline.busLabel,
    store: pipeline.storeLabel,
    roots,
    files: backlog.filesTotal,
    bytes: Math.max(0, backlog.bytesTotal - backlog.bytesRead),
    metricsUrl: `http://${probeHost}:${running.probe.port}/metrics`,
    pageUrl: pipeline.pageUrl(),
    demo: cfg.demo,
    storeArgs,
  });

  let statusTimer: NodeJS.Timeout | null = null;
  if (cfg.statusSeconds > 0 && !cfg.once) {
    let busy = false;
    statusTimer = setInterval(() => {
      if (busy || !feed.isLive) return;
      busy = true;
      todayLine(pipeline.store, pipeline.analyzer.engine.stats().active)
        .then(
          (s) => ui.status(s.text, s.fields),
          (err: unknown) => log.debug('status line failed', { err }),
        )
        .finally(() => (busy = false));
    }, cfg.statusSeconds * 1000);
    statusTimer.unref();
  }

  let code: number;
  if (cfg.once) {
    // Done when every line that exists is in the store; a signal before that is an incomplete run.
    // One analyzer tick once it is all in: sessions whose last line is older than the end timeout are
    // closed, so their summaries (what `cctap report session --detail` shows) are stored before exit.
    const backfilled = async () => {
      await pipeline.drained();
      await pipeline.analyzer.tick({ settled: true });
      await pipeline.drained();
      return 'drained' as const;
    };
    const finished = await Promise.race([backfilled(), running.done.then(() => 'stopped' as const)]);
    code = await running.stop('once: backfill complete');
    if (finished === 'stopped') code = 1;
    else if (code === 0 && (dropped.deadLettered > 0 || dropped.filesSkipped > 0)) code = EXIT.incomplete;
  } else {
    code = await running.done;
  }
  if (statusTimer) clearInterval(statusTimer);
  demo?.stop();
  cleanupDemo();
  return code;
}
