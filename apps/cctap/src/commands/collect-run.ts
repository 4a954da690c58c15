/**
 * What `cctap collect` does (collect.ts declares it): tails this machine's transcripts into JetStream under the
 * kit's runner, or backfills once with --once.
 */
import { hostInboxPrefix, topology } from '@cctap/events';
import { createCollector, identityFrom, parseCollectArgs, resolveRoots } from '@cctap/collector';
import {
  connectNats,
  createJetStreamBus,
  createLogger,
  createMetrics,
  natsOptionsFromConfig,
  natsService,
  redactConfig,
  runServices,
  startProbeServer,
} from '@cctap/kit';
import { ENV } from '../environment.js';
import { oneShotWaitOf } from '../one-shot-wait.js';
import { EXIT } from '../exit-codes.js';
import { CollectOutput } from '../collect-terminal.js';
import { streamDestination } from '../collector-destination.js';

/** The collector's work, once the command line asks for it (collect.ts answers `--help` without loading this). */
export async function runCollect(argv: string[], usage: string): Promise<number> {
  // The collector's own parse: the kit's loader over the spec's shape, plus its rules across fields.
  const cfg = parseCollectArgs(argv, ENV, usage);
  const output = new CollectOutput(cfg, argv);
  const log = createLogger({
    service: 'collector',
    level: output.level,
    format: output.format,
    write: output.write,
  });
  const metrics = createMetrics('collector');
  const { host, user } = identityFrom(cfg, ENV.USER);
  const roots = resolveRoots({ roots: cfg.root, env: ENV });
  log.info('config', { ...redactConfig(cfg), host, user, roots });
  // The probe port is taken before NATS is awaited: a taken port fails at once, /livez answers meanwhile.
  const probe = cfg.once
    ? null
    : await startProbeServer({ port: cfg.metricsPort, host: cfg.metricsHost, metrics, logger: log });
  let nc: Awaited<ReturnType<typeof connectNats>>;
  try {
    // The per-host inbox is what a host credential from `cctap nats-config` allows replies on. The agent
    // waits for NATS for ever; `--once` is one-shot and gives up after CCTAP_WAIT_SECONDS.
    nc = await connectNats({
      ...natsOptionsFromConfig(cfg, `cctap-collector@${host}`),
      inboxPrefix: hostInboxPrefix(host),
      ...(cfg.once ? oneShotWaitOf() : {}),
      logger: log,
      metrics,
    });
  } catch (err) {
    await probe?.close();
    throw err;
  }
  const t = topology(cfg.prefix || undefined);
  const bus = createJetStreamBus(nc, { topology: t, logger: log, metrics });
  const collector = createCollector({
    bus,
    roots,
    stateDir: cfg.state,
    reset: cfg.reset,
    // Asked at start, once the runner handles signals (a request to the server).
    destination: () => streamDestination(nc, t, log),
    host,
    user,
    privacy: cfg.privacy,
    guardDecisions: cfg.guardDecisions || null,
    labels: cfg.labels,
    since: cfg.since ? new Date(cfg.since) : null,
    ...(cfg.prefix ? { subjectPrefix: cfg.prefix } : {}),
    ...(cfg.stringCap ? { stringCap: cfg.stringCap } : {}),
    ...(cfg.batchLines ? { batchLines: cfg.batchLines } : {}),
    ...(cfg.maxInFlight ? { maxInFlight: cfg.maxInFlight } : {}),
    ...(cfg.readChunkBytes ? { readChunkBytes: cfg.readChunkBytes } : {}),
    ...(cfg.checkpointFlushMs ? { checkpointFlushMs: cfg.checkpointFlushMs } : {}),
    watch: !cfg.once,
    sweepMs: cfg.sweepMs,
    fullSweepMs: cfg.fullSweepMs,
    hotWindowMs: cfg.hotWindowMs,
    heartbeatMs: cfg.heartbeatSeconds * 1000,
    // Leave the runner's hard deadline room to drain NATS after the collector's own wait.
    stopTimeoutMs: Math.max(500, cfg.shutdownTimeoutMs - 3000),
    logger: log,
    metrics,
  });
  output.showBackfill(collector, log, { roots, once: cfg.once });

  if (cfg.once) {
    let interrupted = false;
    const onSignal = (sig: NodeJS.Signals) => {
      interrupted = true;
      void collector.stop(sig);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    try {
      await collector.runOnce();
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await nc.drain().catch(() => undefined);
    }
    return interrupted ? EXIT.failure : EXIT.ok;
  }
  // Started in order, stopped in reverse: the collector drains its acks before the connection drains.
  const running = await runServices({
    services: [natsService(nc, bus), collector],
    logger: log,
    metrics,
    ...(probe ? { probe } : { metricsPort: cfg.metricsPort, metricsHost: cfg.metricsHost }),
    shutdownTimeoutMs: cfg.shutdownTimeoutMs,
  });
  return running.done;
}
