/**
 * The alerter's rules and receivers from command options (`cctap alerter`, `cctap up`): `--rules FILE`
 * (watched and reloaded), else the shipped rule pack with receivers from `--webhook-url` / `--slack-webhook-url`.
 */
import { z } from 'zod';
import { ConfigError } from '@cctap/kit';
import { buildRuleSet, RulesConfigError, type AlerterOptions } from '@cctap/alerter';
import { ENV } from './environment.js';

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

export interface AlerterRulesFields {
  rules?: string | undefined;
  webhookUrl?: string | undefined;
  webhookSecret?: string | undefined;
  slackWebhookUrl?: string | undefined;
}

/** Throws ConfigError (one line) when the rule pack or a receiver is invalid. */
export function alerterRulesFrom(cfg: AlerterRulesFields): AlerterOptions['rules'] {
  try {
    return cfg.rules
      ? { file: cfg.rules, env: ENV }
      : buildRuleSet(
          {
            receivers: [
              ...(cfg.webhookUrl
                ? [
                    {
                      name: 'webhook',
                      type: 'webhook',
                      url: cfg.webhookUrl,
                      ...(cfg.webhookSecret ? { secret: cfg.webhookSecret } : {}),
                    },
                  ]
                : []),
              ...(cfg.slackWebhookUrl ? [{ name: 'slack', type: 'slack', url: cfg.slackWebhookUrl }] : []),
            ],
          },
          { env: ENV },
        );
  } catch (err) {
    if (err instanceof RulesConfigError) throw new ConfigError(err.message);
    throw err;
  }
}
