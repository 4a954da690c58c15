/**
 * `cctap sink`: the ClickHouse writer. Consumes sink-events, sink-invalid, sink-derived and sink-alerts from
 * JetStream, applies the migrations first (idempotent), serves /livez /readyz /metrics, stops cleanly on
 * SIGTERM/SIGINT (stop pulling, finish and ack the flush in progress, close).
 */
import { ConfigError, loadConfig, type Service } from '@cctap/kit';
import { runNatsServiceCommand } from '../nats-service-command.js';
import { priceBookOf } from '../price-book-of.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';

const USAGE = `usage: cctap sink --nats URL [--clickhouse URL | --data DIR] [options]

  --batch-size N          messages per flush (one insert per table per flush; default 100)
  --flush-interval-ms N   longest wait for a flush to fill (default 1000)
  --prefix P              topology prefix (several pipelines on one server)
  --metrics-port N        /livez /readyz /metrics (default 9464)
  --prices FILE           price file over the shipped book (env CCTAP_PRICES; default ~/.cctap/prices.json
                          if it exists); synced into the store at start and when a new model arrives
Environment: NATS_URL, CLICKHOUSE_URL, CCTAP_<OPTION>; retention: CCTAP_EVENTS_TTL_DAYS, CCTAP_INVALID_TTL_DAYS.`;


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
    let book;
    try {
      cfg = loadConfig({ shape: sink.sinkConfigShape, argv });
      storeOpts = sink.storeOptionsFrom(cfg);
      book = priceBookOf(cfg.prices);
    } catch (err) {
      if (err instanceof ConfigError || err instanceof sink.StoreFlagError) {
        console.error(`cctap sink: ${err.message}`);
        return 2;
      }
      throw err;
    }
    return runCommand('sink', () =>
      runNatsServiceCommand('sink', cfg, async ({ nc, bus, topology, logger, metrics }) => {
        const store = await sink.openStore(storeOpts);
        const migrated = await sink.migrate(store, sink.retentionFromEnv());
        logger.info('schema ready', { store: store.location, applied: migrated.applied });
        // Stops after the sink (reverse start order): the last flush is in before the store closes.
        const storeService: Service = { name: 'store', async start() {}, stop: () => store.close(), health: () => ({ ready: true }) };
        const service = sink.createSink({
          bus,
          store,
          hostOf: (s) => topology.hostOf(s),
          batchSize: cfg.batchSize,
          flushIntervalMs: cfg.flushIntervalMs,
          prices: book,
          pending: await sink.jetStreamPending(nc, topology),
          logger,
          metrics,
        });
        return [storeService, service];
      }),
    );
  },
};