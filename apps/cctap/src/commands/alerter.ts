/**
 * `cctap alerter`: rules over CCTAP_EVENTS and CCTAP_DERIVED, notifications to webhook and Slack receivers,
 * delivery state in the KV bucket `alerts`, silences from `silences`, budget spend in `budgets`, alerts
 * published to CCTAP_ALERTS.
 *
 * Receivers and rules come from `--rules <file>` (YAML/JSON, reloaded when it changes); without one, the
 * shipped rule pack runs and `--webhook-url` / `--slack-webhook-url` name the receivers.
 */
import { z } from 'zod';
import { baseConfigShape, natsConfigShape } from '@cctap/kit/shape';
import { alerterRulesShape } from '../alerter-rules-shape.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { printShapeHelp } from '../flags/shape-help.js';
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
  // The work (alerter-run.ts, with the kit's NATS client, metrics and YAML reader and the service) is loaded only
  // when the command line does not ask for the help.
  run: (argv) =>
    runCommand(
      'alerter',
      async () => printShapeHelp(spec, argv) ?? (await import('./alerter-run.js')).runAlerter(argv),
    ),
};
