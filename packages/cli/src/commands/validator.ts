/** `cctap validator`: the trust boundary service (CCTAP_RAW -> CCTAP_EVENTS / CCTAP_INVALID). */
import { hostname } from 'node:os';
import { z } from 'zod';
import { topology } from '@cctap/events';
import {
  baseConfigShape,
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
import { createValidatorService } from '@cctap/validator';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';

const shape = {
  ...baseConfigShape,
  ...natsConfigShape,
  /** Reject events whose timestamp is further ahead than this, ms. */
  maxFutureMs: z.coerce.number().int().positive().default(86_400_000),
  fetchBatch: z.coerce.number().int().min(1).max(1000).default(64),
};

export const command: Command = {
  summary: 'validate raw batches (CCTAP_RAW) and route them to events or invalid',
  run: (argv) =>
    runCommand('validator', async () => {
      const cfg = loadConfig({ shape, argv });
      const logger = createLogger({ service: 'validator', level: cfg.logLevel, format: cfg.logFormat });
      logger.info('config', redactConfig(cfg));
      const metrics = createMetrics('validator');
      const t = topology(cfg.prefix || undefined);
      const nc = await connectNats({ ...natsOptionsFromConfig(cfg, `cctap-validator@${hostname()}`), logger, metrics });
      const bus = createJetStreamBus(nc, { topology: t, logger, metrics });
      const services: Service[] = [
        natsService(nc),
        createValidatorService({ bus, topology: t, logger, metrics, maxFutureMs: cfg.maxFutureMs, fetchBatch: cfg.fetchBatch }),
      ];
      const running = await runServices({ services, logger, metrics, metricsPort: cfg.metricsPort, metricsHost: cfg.metricsHost, shutdownTimeoutMs: cfg.shutdownTimeoutMs });
      return running.done;
    }),
};
