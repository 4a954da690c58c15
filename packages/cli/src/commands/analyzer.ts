/** `cctap analyzer`: live sessions, tool spans, loops and anomalies (CCTAP_EVENTS -> CCTAP_DERIVED). */
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
import { createAnalyzer, openKvStateStore } from '@cctap/analyzer';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';

const ms = z.coerce.number().int().nonnegative();
const shape = {
  ...baseConfigShape,
  ...natsConfigShape,
  idleMs: ms.optional(),
  endMs: ms.optional(),
  waitingMs: ms.optional(),
  contextThreshold: z.coerce.number().positive().max(1).optional(),
  loopCount: z.coerce.number().int().min(2).optional(),
  errorBurstCount: z.coerce.number().int().min(2).optional(),
  anomalyZ: z.coerce.number().positive().optional(),
  maxSessions: z.coerce.number().int().positive().optional(),
  metricsByProject: z.boolean().optional(),
  metricsByUser: z.boolean().optional(),
  fetchBatch: z.coerce.number().int().min(1).max(1000).default(100),
};

export const command: Command = {
  summary: 'analyze sessions (CCTAP_EVENTS) and publish derived events (CCTAP_DERIVED)',
  run: (argv) =>
    runCommand('analyzer', async () => {
      const cfg = loadConfig({ shape, argv });
      const logger = createLogger({ service: 'analyzer', level: cfg.logLevel, format: cfg.logFormat });
      logger.info('config', redactConfig(cfg));
      const metrics = createMetrics('analyzer');
      const t = topology(cfg.prefix || undefined);
      const nc = await connectNats({ ...natsOptionsFromConfig(cfg, `cctap-analyzer@${hostname()}`), logger, metrics });
      const bus = createJetStreamBus(nc, { topology: t, logger, metrics });
      const store = await openKvStateStore(nc, t.bucket('analyzer'));
      const { fetchBatch, ...rest } = cfg;
      const analyzerKeys = ['idleMs', 'endMs', 'waitingMs', 'contextThreshold', 'loopCount', 'errorBurstCount', 'anomalyZ', 'maxSessions', 'metricsByProject', 'metricsByUser'] as const;
      const config = Object.fromEntries(analyzerKeys.filter((k) => rest[k] !== undefined).map((k) => [k, rest[k]]));
      const services: Service[] = [
        natsService(nc),
        createAnalyzer({ bus, topology: t, logger, metrics, store, config, batchSize: fetchBatch }),
      ];
      const running = await runServices({ services, logger, metrics, metricsPort: cfg.metricsPort, metricsHost: cfg.metricsHost, shutdownTimeoutMs: cfg.shutdownTimeoutMs });
      return running.done;
    }),
};
