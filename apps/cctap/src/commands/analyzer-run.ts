/**
 * What `cctap analyzer` does (analyzer.ts declares it): the session analyzer on NATS, partitioned or not.
 */
import { JetStreamBus } from '@cctap/kit';
import { createAnalyzer, createPartitionedAnalyzer, openKvStateStore } from '@cctap/analyzer';
import { runNatsServiceCommand } from '../nats-service-command.js';
import { priceBookOf } from '../price-book-of.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { spec } from './analyzer.js';

/** The work, once the command line does not ask for the help (analyzer.ts answers that without loading this). */
export async function runAnalyzer(argv: string[]): Promise<number> {
  const cfg = loadCommandConfig(spec, argv);
  const { fetchBatch, partitioned, leaseMs, prices: priceFile, ...rest } = cfg;
  const prices = priceBookOf(priceFile);
  const analyzerKeys = [
    'idleMs',
    'endMs',
    'waitingMs',
    'contextThreshold',
    'loopCount',
    'errorBurstCount',
    'anomalyZ',
    'maxSessions',
    'metricsByProject',
    'metricsByUser',
  ] as const;
  const config = Object.fromEntries(analyzerKeys.filter((k) => rest[k] !== undefined).map((k) => [k, rest[k]]));
  return runNatsServiceCommand('analyzer', cfg, async ({ nc, bus, topology, logger, metrics }) => [
    partitioned && bus instanceof JetStreamBus
      ? createPartitionedAnalyzer({
          bus,
          nc,
          topology,
          logger,
          metrics,
          config,
          batchSize: fetchBatch,
          prices,
          leaseMs,
        })
      : createAnalyzer({
          bus,
          topology,
          logger,
          metrics,
          store: await openKvStateStore(nc, topology.bucket('analyzer')),
          config,
          batchSize: fetchBatch,
          prices,
        }),
  ]);
}
