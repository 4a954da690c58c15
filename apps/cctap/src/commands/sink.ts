/**
 * `cctap sink`: the ClickHouse writer. Consumes sink-events, sink-invalid, sink-derived and sink-alerts from
 * JetStream, applies the migrations first (idempotent), serves /livez /readyz /metrics, stops cleanly on
 * SIGTERM/SIGINT (stop pulling, finish and ack the flush in progress, close).
 */
import { ConfigError, type Service } from '@cctap/kit';
import { sinkConfigShape } from '@cctap/sink';
import { ENV } from '../environment.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { storeEnvOf } from '../store-flags.js';
import { runNatsServiceCommand } from '../nats-service-command.js';
import { priceBookOf } from '../price-book-of.js';
import { usageExit } from '../flags/usage-exit.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';
import { SUMMARIES } from './summaries.js';

const USAGE = `usage: cctap sink --nats URL [--clickhouse URL | --data DIR] [options]

Writes the event, invalid, derived and alert streams into ClickHouse; applies the migrations first (idempotent).
Retention (applied when a table is created): CCTAP_EVENTS_TTL_DAYS, CCTAP_INVALID_TTL_DAYS.`;

export const spec = {
  name: 'sink',
  summary: SUMMARIES.sink,
  usage: USAGE,
  shape: sinkConfigShape,
} satisfies CommandSpec;

export const command: Command = {
  spec,
  async run(argv) {
    const [sink, storeLib] = await Promise.all([import('@cctap/sink'), import('@cctap/store')]);
    let cfg;
    let storeOpts;
    let book;
    try {
      cfg = loadCommandConfig(spec, argv);
      storeOpts = storeLib.storeOptionsFrom(cfg, storeEnvOf());
      if (cfg.cluster && storeOpts.url === undefined)
        throw new storeLib.StoreFlagError('--cluster needs a ClickHouse server (--clickhouse URL)');
      book = priceBookOf(cfg.prices);
    } catch (err) {
      const usage = usageExit('sink', err);
      if (usage !== null) return usage;
      if (err instanceof ConfigError || err instanceof storeLib.StoreFlagError) {
        console.error(`cctap sink: ${err.message}`);
        return EXIT.usage;
      }
      throw err;
    }
    return runCommand('sink', () =>
      runNatsServiceCommand('sink', cfg, async ({ nc, bus, topology, logger, metrics }) => {
        // A service: waits for a ClickHouse server for ever, saying so in its log.
        const store = await storeLib.openStore({ ...storeOpts, wait: { logger } });
        const migrated = await storeLib.migrate(store, storeLib.retentionFromEnv(ENV), undefined, {
          cluster: cfg.cluster,
        });
        logger.info('schema ready', { store: store.location, applied: migrated.applied });
        // Stops after the sink (reverse start order): the last flush is in before the store closes.
        const storeService: Service = {
          name: 'store',
          async start() {},
          stop: () => store.close(),
          health: () => ({ ready: true }),
        };
        const service = sink.createSink({
          bus,
          store,
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
