/**
 * `cctap alerter`: rules over CCTAP_EVENTS and CCTAP_DERIVED, notifications to webhook and Slack receivers,
 * delivery state in the KV bucket `alerts`, silences from `silences`, alerts published to CCTAP_ALERTS.
 *
 * Receivers and rules come from `--rules <file>` (YAML/JSON, reloaded when it changes); without one, the
 * shipped rule pack runs and `--webhook-url` / `--slack-webhook-url` name the receivers.
 */
import { hostname } from 'node:os';
import { topology } from '@cctap/events';
import {
  baseConfigShape,
  ConfigError,
  connectNats,
  createJetStreamBus,
  createLogger,
  createMetrics,
  loadConfig,
  natsConfigShape,
  natsOptionsFromConfig,
  natsService,
  redactConfig,
  runServices,
  type Service,
} from '@cctap/kit';
import { createAlerter, MissingBucketError, openKvStores } from '@cctap/alerter';
import { alerterRulesFrom, alerterRulesShape } from '../alerter-rules.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';

const shape = {
  ...baseConfigShape,
  ...natsConfigShape,
  ...alerterRulesShape,
};

export const command: Command = {
  summary: 'evaluate alert rules and notify webhook / Slack receivers',
  run: (argv) =>
    runCommand('alerter', async () => {
      const cfg = loadConfig({ shape, argv });
      const logger = createLogger({ service: 'alerter', level: cfg.logLevel, format: cfg.logFormat });
      logger.info('config', redactConfig(cfg));
      const rules = alerterRulesFrom(cfg);
      const metrics = createMetrics('alerter');
      const t = topology(cfg.prefix || undefined);
      const nc = await connectNats({ ...natsOptionsFromConfig(cfg, `cctap-alerter@${hostname()}`), logger, metrics });
      const bus = createJetStreamBus(nc, { topology: t, logger, metrics });
      let stores;
      try {
        stores = await openKvStores(nc, t);
      } catch (err) {
        await nc.close();
        if (err instanceof MissingBucketError) throw new ConfigError(err.message);
        throw err;
      }
      const alerter = createAlerter({ bus, topology: t, rules, logger, metrics, state: stores.alerts, silences: stores.silences });
      const services: Service[] = [natsService(nc), alerter];
      const running = await runServices({ services, logger, metrics, metricsPort: cfg.metricsPort, metricsHost: cfg.metricsHost, shutdownTimeoutMs: cfg.shutdownTimeoutMs });
      return running.done;
    }),
};
