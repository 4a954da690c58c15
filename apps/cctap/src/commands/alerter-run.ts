/**
 * What `cctap alerter` does (alerter.ts declares it): the rule evaluation and the notifications, one active replica at a time.
 */
import { ConfigError } from '@cctap/kit';
import {
  createAlerter,
  createAlerterReplica,
  MissingBucketError,
  openKvBudgetStore,
  openKvStores,
} from '@cctap/alerter';
import { alerterRulesFrom } from '../alerter-rules.js';
import { runNatsServiceCommand } from '../nats-service-command.js';
import { priceBookOf } from '../price-book-of.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { spec } from './alerter.js';

/** The work, once the command line does not ask for the help (alerter.ts answers that without loading this). */
export async function runAlerter(argv: string[]): Promise<number> {
  const cfg = loadCommandConfig(spec, argv);
  const rules = alerterRulesFrom(cfg);
  const prices = priceBookOf(cfg.prices);
  return runNatsServiceCommand('alerter', cfg, async ({ nc, bus, topology, logger, metrics }) => {
    const missingBucket = (err: unknown) => {
      throw err instanceof MissingBucketError ? new ConfigError(err.message) : err;
    };
    // The buckets are checked before joining: a missing one is a setup error, not a takeover failure.
    await openKvStores(nc, topology).catch(missingBucket);
    await openKvBudgetStore(nc, topology).catch(missingBucket);
    return [
      // One active alerter, the other replicas on standby (services/alerter/src/ha/alerter-replica.ts).
      createAlerterReplica({
        nc,
        topology,
        logger,
        metrics,
        leaseMs: cfg.leaseMs,
        build: async (fence, onConflict) => {
          const stores = await openKvStores(nc, topology, { fence, onConflict });
          const budgetState = await openKvBudgetStore(nc, topology, { fence, onConflict });
          return createAlerter({
            bus,
            topology,
            rules,
            logger,
            metrics,
            prices,
            state: stores.alerts,
            silences: stores.silences,
            engineState: stores.engine,
            budgetState,
          });
        },
      }),
    ];
  });
}
