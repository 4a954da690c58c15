/**
 * The five services of `cctap up` wired for one process, on the in-process bus and the embedded store, or
 * on NATS / a ClickHouse server when configured.
 *
 * Runner order (started in order, stopped in reverse, DESIGN section 10):
 *   transport   bus, NATS connection, store, up.json      stopped last: close the bus, drain NATS, close the store
 *   sink        consumes events, invalid, derived, alerts  stops after everything upstream has published
 *   alerter, analyzer, validator
 *   loopback    the query endpoint for report/sql         (embedded store only)
 *   collector   started last (every consumer is listening), stopped first: stop reading, wait for the acks
 * In process, a collector publish resolves only when every consumer downstream of it acked (the validator
 * acks a raw batch after its events were acked by the analyzer, the alerter and the sink, which acks after
 * the insert), so "collector idle" means "in the store", and the checkpoint only ever covers stored lines.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { topology, type ConsumerKey } from '@cctap/events';
import { createCollector, type CollectorService } from '@cctap/collector';
import {
  connectNats,
  consumerLagReader,
  createInProcessBus,
  createJetStreamBus,
  natsOptionsFromConfig,
  privateDir,
  provision,
  sleep,
  type Bus,
  type Logger,
  type Metrics,
  type Service,
} from '@cctap/kit';
import { createValidatorService } from '@cctap/validator';
import { createAnalyzer, NO_STATE_STORE, openKvStateStore, type AnalyzerService } from '@cctap/analyzer';
import {
  createAlerter,
  openFileBudgetStore,
  openFileStores,
  openKvBudgetStore,
  openKvStores,
  type AlerterService,
} from '@cctap/alerter';
import type { PriceBook } from '@cctap/prices';
import { createSink, jetStreamPending, SINK_CONSUMERS } from '@cctap/sink';
import { DEFAULT_DATA_DIR, migrate, openStore, retentionFromEnv, type Store } from '@cctap/store';
import { alerterRulesFrom } from '../alerter-rules.js';
import { ENV } from '../environment.js';
import { oneShotWaitOf } from '../one-shot-wait.js';
import { deadLetterFile, type DeadLetterFile } from './dead-letter-file.js';
import { deadLetterForwarderService } from '../dlq/forwarder-service.js';
import { acquireInstance, type InstanceHandle } from './instance-file.js';
import { storeAccess } from '../alerts/alert-access.js';
import { startQueryServer, type QueryServer } from './query-server.js';
import { createQuotaRecorder } from '../statusline/quota-recorder.js';
import { statuslineFigures } from '../statusline/figures.js';
import { createStatuslineAnswerer } from '../statusline/statusline-answerer.js';
import { tapBus, type PublishedHook } from './tap-bus.js';
import { pageUrl, type PageHandler } from '../web/web-routes.js';
import { alerterDirOf, stateDirOf, type UpConfig } from './up-config.js';
import { streamDestination } from '../collector-destination.js';
import { upDestination } from './up-destination.js';

/** Every consumer `up` runs; the in-process bus waits for exactly these. */
const UP_CONSUMERS = [
  'validator',
  'analyzer',
  'alerter-events',
  'alerter-derived',
  ...SINK_CONSUMERS,
] as const satisfies readonly ConsumerKey[];

/** The embedded store is held by another process that is not a `cctap up` (a sink, a report in progress). */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}

export interface Pipeline {
  busLabel: string;
  storeLabel: string;
  roots: readonly string[];
  stateDir: string;
  store: Store;
  collector: CollectorService;
  analyzer: AnalyzerService;
  alerter: AlerterService;
  /** Where alert state is kept: the alert journal file (in-process bus) or NATS KV. */
  alertStateLabel: string;
  services: Service[];
  /** Resolves once every consumer has processed everything published so far. */
  drained(): Promise<void>;
  /** Where the in-process bus keeps its dead letters (null on NATS: the DLQ stream keeps them there). */
  deadLetters: DeadLetterFile | null;
  /** The web page's address with its token, once the loopback endpoint serves (embedded store only). */
  pageUrl(): string | null;
}

export interface PipelineOptions {
  cfg: UpConfig;
  roots: readonly string[];
  host: string;
  user: string;
  logger: Logger;
  metrics: Metrics;
  /** Sees every message the validator, analyzer and alerter published (the live feed). */
  onPublished: PublishedHook;
  /** The book the store, the analyzer and the alerter price with (synced at start and when a new model arrives). */
  prices?: PriceBook;
  /** Runs after every service stopped and before the store closes (the final summary). */
  beforeClose?: (store: Store) => Promise<void>;
  /** The web page, served by the loopback endpoint on the store it is given. */
  page?: (store: Store) => PageHandler;
}

async function openEmbedded(dataDir: string): Promise<Store> {
  try {
    return await openStore({ dataDir });
  } catch (err) {
    // The embedded engine says another process holds its directory in words only (no error code or class
    // of its own for it), so the words are what is matched here.
    const text = `${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`;
    if (/Cannot lock file|already running|CHDB_CONNECTION/i.test(text)) {
      throw new StoreLockedError(
        `the store in ${dataDir} is open in another process (a 'cctap sink', 'migrate' or 'report' on the same --data); stop it and retry`,
        { cause: err },
      );
    }
    throw err;
  }
}

export async function assemblePipeline(o: PipelineOptions): Promise<Pipeline> {
  const { cfg, logger: log, metrics } = o;
  const t = topology(cfg.prefix || undefined);
  const embedded = !cfg.clickhouse;
  const dataDir = embedded ? resolve(cfg.data ?? DEFAULT_DATA_DIR) : null;
  const cleanups: Array<() => Promise<void> | void> = [];
  const undo = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };

  try {
    const instance: InstanceHandle | null = dataDir ? acquireInstance(privateDir(dataDir)) : null;
    if (instance) cleanups.push(() => instance.release());
    // Servers that are down are waited for, saying so: for ever, or as a one-shot command with --once.
    const wait = cfg.once ? oneShotWaitOf(log) : { logger: log };
    const store = dataDir ? await openEmbedded(dataDir) : await openStore({ url: cfg.clickhouse!, wait });
    cleanups.push(() => store.close());
    const migrated = await migrate(store, retentionFromEnv(ENV));
    log.info('store ready', { store: store.location, migrationsApplied: migrated.applied.length });

    let bus: Bus;
    /** The JetStream bus on NATS: its publishes refused for lack of storage make `up` not ready. */
    let jetStreamBus: ReturnType<typeof createJetStreamBus> | null = null;
    let nc: Awaited<ReturnType<typeof connectNats>> | null = null;
    let deadLetters: DeadLetterFile | null = null;
    if (cfg.nats) {
      nc = await connectNats({
        ...natsOptionsFromConfig({ ...cfg, nats: cfg.nats }, `cctap-up@${hostname()}`),
        ...wait,
        logger: log,
        metrics,
      });
      const conn = nc;
      cleanups.push(() => conn.close());
      const report = await provision(nc, { prefix: cfg.prefix });
      log.info('nats provisioned', {
        server: report.serverVersion,
        created: report.entries.filter((e) => e.action === 'created').length,
      });
      jetStreamBus = createJetStreamBus(nc, { topology: t, logger: log, metrics });
      bus = jetStreamBus;
    } else {
      const letters = deadLetterFile(dataDir ?? stateDirOf(cfg, dataDir), metrics);
      deadLetters = letters;
      bus = createInProcessBus({
        topology: t,
        consumers: UP_CONSUMERS,
        logger: log,
        metrics,
        onDeadLetter: (d) => letters.keep(d),
      });
    }
    const tapped = tapBus(bus, o.onPublished);

    const sink = createSink({
      bus,
      store,
      logger: log,
      metrics,
      ...(o.prices ? { prices: o.prices } : {}),
      ...(nc ? { pending: await jetStreamPending(nc, t) } : {}),
    });
    // Alert state outlives the process: NATS KV on NATS, else journal files next to the store, so alerts
    // pending at shutdown (a receiver down) are delivered after a restart.
    const files = nc ? null : openFileStores(alerterDirOf(cfg, dataDir));
    if (files)
      cleanups.push(async () => {
        await files.alerts.close();
        await files.silences.close();
      });
    const alertStores = nc ? await openKvStores(nc, t) : files!;
    const budgetFile = nc ? null : openFileBudgetStore(alerterDirOf(cfg, dataDir));
    if (budgetFile) cleanups.push(() => budgetFile.close());
    const alerter = createAlerter({
      bus: tapped,
      topology: t,
      rules: alerterRulesFrom(cfg),
      logger: log,
      metrics,
      ...(o.prices ? { prices: o.prices } : {}),
      state: alertStores.alerts,
      silences: alertStores.silences,
      budgetState: budgetFile ?? (await openKvBudgetStore(nc!, t)),
    });
    const analyzer = createAnalyzer({
      bus: tapped,
      topology: t,
      logger: log,
      metrics,
      ...(o.prices ? { prices: o.prices } : {}),
      store: nc ? await openKvStateStore(nc, t.bucket('analyzer')) : NO_STATE_STORE,
    });
    const validator = createValidatorService({ bus: tapped, topology: t, logger: log, metrics });
    const stateDir = stateDirOf(cfg, dataDir);
    const collector = createCollector({
      bus,
      roots: o.roots,
      stateDir,
      reset: cfg.reset,
      destination: async () => upDestination(store, nc ? await streamDestination(nc, t, log) : null),
      host: o.host,
      user: o.user,
      privacy: cfg.privacy,
      guardDecisions: cfg.guardDecisions || null,
      labels: cfg.labels,
      since: cfg.since ? new Date(cfg.since) : null,
      ...(cfg.prefix ? { subjectPrefix: cfg.prefix } : {}),
      watch: !cfg.once,
      stopTimeoutMs: Math.max(500, cfg.shutdownTimeoutMs - 5000),
      logger: log,
      metrics,
    });

    let connected = true;
    const transport: Service = {
      name: 'transport',
      async start() {},
      async stop() {
        await bus.close();
        if (o.beforeClose)
          await o.beforeClose(store).catch((err: unknown) => log.warn('final summary failed', { err }));
        if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
        connected = false;
        await store.close();
        if (files) await Promise.all([files.alerts.close(), files.silences.close()]);
        instance?.release();
      },
      health: () => {
        const refused = jetStreamBus?.storageRefusal() ?? null;
        return {
          ready: connected && (nc === null || !nc.isClosed()) && !refused,
          ...(refused ? { details: { storageRefused: refused } } : {}),
        };
      },
    };
    const services: Service[] = [transport, sink, alerter, analyzer, validator];
    // On NATS what a consumer gives up on is moved to CCTAP_DLQ as `cctap validator` does it; in process the
    // bus itself writes dead-letters.jsonl.
    if (nc) services.push(deadLetterForwarderService({ nc, bus, topology: t, logger: log, metrics }));
    let page: string | null = null;
    if (instance) {
      let server: QueryServer | null = null;
      services.push({
        name: 'loopback',
        async start() {
          // `cctap statusline` readings enter the bus as the collector's batches do, under this host's identity.
          const quota = createQuotaRecorder({
            bus,
            subject: t.subjects.raw(o.host),
            host: o.host,
            user: o.user,
            labels: cfg.labels,
            logger: log,
          });
          const statusline = createStatuslineAnswerer({ quota, compute: (q) => statuslineFigures(store, q) });
          server = await startQueryServer({
            store,
            logger: log,
            alerts: storeAccess(alertStores, alerter),
            statusline,
            ...(o.page ? { page: o.page(store) } : {}),
          });
          if (o.page) page = pageUrl(server.port, server.token);
          instance.publish(server.port, server.token, page);
          log.info('loopback query endpoint', { port: server.port, file: instance.path });
        },
        async stop() {
          await server?.close();
        },
        health: () => ({ ready: server !== null }),
      });
    }
    services.push(collector);

    const drained = async (): Promise<void> => {
      await collector.idle();
      if (!nc) return; // in process: idle already means every consumer acked (see the header)
      // On JetStream a PubAck means stored, not consumed: wait until no consumer of ours has anything left.
      const lagOf = consumerLagReader(nc);
      for (;;) {
        let left = 0;
        for (const c of UP_CONSUMERS) {
          const lag = await lagOf(t.consumerStream(c), t.consumer(c));
          left += lag.pending + lag.ackPending;
        }
        if (left === 0) return;
        await sleep(250);
      }
    };

    return {
      busLabel: nc ? `NATS JetStream ${nc.getServer()}` : 'in-process',
      storeLabel:
        store.kind === 'embedded' ? `embedded ClickHouse in ${store.location}` : `ClickHouse ${store.location}`,
      roots: o.roots,
      stateDir,
      store,
      collector,
      analyzer,
      alerter,
      alertStateLabel: files ? files.alerts.path : 'NATS KV',
      services,
      drained,
      deadLetters,
      pageUrl: () => page,
    };
  } catch (err) {
    await undo();
    throw err;
  }
}
