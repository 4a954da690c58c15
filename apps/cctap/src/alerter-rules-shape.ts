/**
 * The alerter's rule options (`--rules`, the receivers of the shipped pack) that `cctap alerter`, `cctap alerts`
 * and `cctap up` declare. Apart from how they are read (alerter-rules.ts, which loads the alerter) so that a
 * declaration and its `--help` load zod only.
 */
import { z } from 'zod';

export const alerterRulesShape = {
  /** Rules and receivers file (YAML or JSON). */
  rules: z
    .string()
    .optional()
    .meta({ arg: 'FILE', description: 'alert rules and receivers (YAML or JSON; reloaded when it changes)' }),
  webhookUrl: z
    .string()
    .optional()
    .meta({ arg: 'URL', description: 'send alerts to this webhook (shipped rule pack)' }),
  webhookSecret: z.string().optional().meta({ arg: 'SECRET', description: 'HMAC secret signing the webhook requests' }),
  slackWebhookUrl: z
    .string()
    .optional()
    .meta({ arg: 'URL', description: 'send alerts to this Slack incoming webhook (shipped rule pack)' }),
};
