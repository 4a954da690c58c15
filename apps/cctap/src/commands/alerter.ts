/**
 * `cctap alerter`: rules over CCTAP_EVENTS and CCTAP_DERIVED, notifications to webhook and Slack receivers,
 * delivery state in the KV bucket `alerts`, silences from `silences`, budget spend in `budgets`, alerts
 * published to CCTAP_ALERTS.
 *
 * Receivers and rules come from `--rules <file>` (YAML/JSON, reloaded when it changes); without one, the
 * shipped rule pack runs and `--webhook-url` / `--slack-webhook-url` name the receivers.
 */
import { z } from 'zod';
import { baseConfigShape, ConfigError, natsConfigShape } from '@cctap/kit';
import {
  createAlerter,
  createAlerterReplica,
  MissingBucketError,
  openKvBudgetStore,
  openKvStores,
} from '@cctap/alerter';
import { alerterRulesFrom, alerterRulesShape } from '../alerter-rules.js';
import { runNatsServiceCommand } from '../nats-service-command.js';
import { priceBookOf } from '../price-book-of.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';
import { SUMMARIES } from './summaries.js';

const shape = {
  ...baseConfigShape,
  ...natsConfigShape,
  ...alerterRulesShape,
  /** Price file over the shipped book (env CCTAP_PRICES; default ~/.cctap/prices.json when it exists). */
  prices: z.string().optional().meta({
    arg: 'FILE',
    description: 'price file over the shipped book (default ~/.cctap/prices.json when it exists)',
  }),
  leaseMs: z.coerce.number().int().min(1000).default(15_000).meta({
    description:
      'alerter lease time to live, ms, when this replica creates the lease bucket: one replica is active, the others stand by and take over within it',
  }),
};

export const spec = {
  name: 'alerter',
  summary: SUMMARIES.alerter,
  usage:
    'usage: cctap alerter [options]\n\nEvaluates the alert rules over CCTAP_EVENTS and CCTAP_DERIVED and notifies webhook and Slack receivers;\nwithout --rules the shipped rule pack runs with the --webhook-url / --slack-webhook-url receivers.',
  shape,
} satisfies CommandSpec;

export const command: Command = {
  spec,
  run: (argv) =>
    runCommand('alerter', async () => {
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
    }),
};
