/**
 * What `cctap sink` does (sink.ts declares it): reads its options and the store's, then runs the sink service
 * on NATS into the store, after the migrations.
 */
import { ConfigError, type Service } from '@cctap/kit';
import { ENV } from '../environment.js';
import { EXIT } from '../exit-codes.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { storeEnvOf } from '../store-flags.js';
import { runNatsServiceCommand } from '../nats-service-command.js';
import { priceBookOf } from '../price-book-of.js';
import { usageExit } from '../flags/usage-exit.js';
import { runCommand } from './run-command.js';
import { spec } from './sink.js';

/** The work, once the command line does not ask for the help (sink.ts answers that without loading this). */
export async function runSink(argv: string[]): Promise<number> {
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
}
