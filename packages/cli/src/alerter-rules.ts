/**
 * The alerter's rules and receivers from command options (`cctap alerter`, `cctap up`): `--rules FILE`
 * (watched and reloaded), else the shipped rule pack with receivers from `--webhook-url` / `--slack-webhook-url`.
 */
import { z } from 'zod';
import { ConfigError } from '@cctap/kit';
import { buildRuleSet, RulesConfigError, type AlerterOptions } from '@cctap/alerter';

export const alerterRulesShape = {
  /** Rules and receivers file (YAML or JSON). */
  rules: z.string().optional(),
  webhookUrl: z.string().optional(),
  webhookSecret: z.string().optional(),
  slackWebhookUrl: z.string().optional(),
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
      ? { file: cfg.rules }
      : buildRuleSet({
          receivers: [
            ...(cfg.webhookUrl ? [{ name: 'webhook', type: 'webhook', url: cfg.webhookUrl, ...(cfg.webhookSecret ? { secret: cfg.webhookSecret } : {}) }] : []),
            ...(cfg.slackWebhookUrl ? [{ name: 'slack', type: 'slack', url: cfg.slackWebhookUrl }] : []),
          ],
        });
  } catch (err) {
    if (err instanceof RulesConfigError) throw new ConfigError(err.message);
    throw err;
  }
}
