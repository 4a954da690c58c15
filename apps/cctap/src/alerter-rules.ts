/**
 * The alerter's rules and receivers from command options (`cctap alerter`, `cctap up`): `--rules FILE`
 * (watched and reloaded), else the shipped rule pack with receivers from `--webhook-url` / `--slack-webhook-url`.
 */
import { ConfigError } from '@cctap/kit';
import { buildRuleSet, RulesConfigError, type AlerterOptions } from '@cctap/alerter';
import { ENV } from './environment.js';

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
