/**
 * `cctap sink`: the ClickHouse writer. Consumes sink-events, sink-invalid, sink-derived and sink-alerts from
 * JetStream, applies the migrations first (idempotent), serves /livez /readyz /metrics, stops cleanly on
 * SIGTERM/SIGINT (stop pulling, finish and ack the flush in progress, close).
 */
import { topology } from '@cctap/events';
import { ConfigError, connectNats, createJetStreamBus, createLogger, createMetrics, loadConfig, redactConfig, runServices, type Service } from '@cctap/kit';
import type { Command } from './registry.js';

const USAGE = `usage: cctap sink --nats URL [--clickhouse URL | --data DIR] [options]

  --batch-size N          messages per flush (one insert per table per flush; default 100)
  --flush-interval-ms N   longest wait for a flush to fill (default 1000)
  --prefix P              topology prefix (several pipelines on one server)
  --metrics-port N        /livez /readyz /metrics (default 9464)
Environment: NATS_URL, CLICKHOUSE_URL, CCTAP_<OPTION>; retention: CCTAP_EVENTS_TTL_DAYS, CCTAP_USAGE_TTL_DAYS.`;


export const command: Command = {
  summary: 'write the event, invalid, derived and alert streams into ClickHouse',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(USAGE);
      return 0;
    }
    const sink = await import('@cctap/sink');
    let cfg;
    let storeOpts;
    try {
      cfg = loadConfig({ shape: sink.sinkConfigShape, argv });
      storeOpts = sink.storeOptionsFrom(cfg);
    } catch (err) {
      if (err instanceof ConfigError || err instanceof sink.StoreFlagError) {
        console.error(`cctap sink: ${err.message}`);
        return 2;
      }
      throw err;
    }
    const log = createLogger({ service: 'sink', level: cfg.logLevel, format: cfg.logFormat });
    const metrics = createMetrics('sink');
    log.info('config', redactConfig(cfg));

    const store = await sink.openStore(storeOpts);
    const migrated = await sink.migrate(store, sink.retentionFromEnv());
    log.info('schema ready', { store: store.location, applied: migrated.applied });

    const t = topology(cfg.prefix || undefined);
    const nc = await connectNats({
      servers: cfg.nats,
      name: 'cctap-sink',
      ...(cfg.natsUser ? { user: cfg.natsUser, password: cfg.natsPassword ?? '' } : {}),
      ...(cfg.natsToken ? { token: cfg.natsToken } : {}),
      ...(cfg.natsNkeySeedFile ? { nkeySeedFile: cfg.natsNkeySeedFile } : {}),
      ...(cfg.natsCredsFile ? { credsFile: cfg.natsCredsFile } : {}),
      tls: { ...(cfg.natsTlsCa ? { caFile: cfg.natsTlsCa } : {}), ...(cfg.natsTlsCert ? { certFile: cfg.natsTlsCert } : {}), ...(cfg.natsTlsKey ? { keyFile: cfg.natsTlsKey } : {}) },
      logger: log,
      metrics,
    });
    const bus = createJetStreamBus(nc, { topology: t, logger: log, metrics });
    const service = sink.createSink({
      bus,
      store,
      hostOf: (s) => t.hostOf(s),
      batchSize: cfg.batchSize,
      flushIntervalMs: cfg.flushIntervalMs,
      pending: await sink.jetStreamPending(nc, t),
      logger: log,
      metrics,
    });
    // Closing order after the service stopped: the bus (no more acks needed), the connection, the store.
    const transport: Service = {
      name: 'transport',
      async start() {},
      async stop() {
        await bus.close();
        await nc.drain().catch(() => nc.close());
        await store.close();
      },
      health: () => ({ ready: !nc.isClosed() }),
    };
    const running = await runServices({
      services: [transport, service],
      logger: log,
      metrics,
      metricsPort: cfg.metricsPort,
      metricsHost: cfg.metricsHost,
      shutdownTimeoutMs: cfg.shutdownTimeoutMs,
    });
    return running.done;
  },
};
