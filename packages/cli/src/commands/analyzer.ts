/** `cctap analyzer`: live sessions, tool spans, loops and anomalies (CCTAP_EVENTS -> CCTAP_DERIVED). */
import { z } from 'zod';
import { baseConfigShape, loadConfig, natsConfigShape } from '@cctap/kit';
import { createAnalyzer, openKvStateStore } from '@cctap/analyzer';
import { runNatsServiceCommand } from '../nats-service-command.js';
import { priceBookOf } from '../price-book-of.js';
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
  /** Price file over the shipped book (env CCTAP_PRICES; default ~/.cctap/prices.json when it exists). */
  prices: z.string().optional(),
};

export const command: Command = {
  summary: 'analyze sessions (CCTAP_EVENTS) and publish derived events (CCTAP_DERIVED)',
  run: (argv) =>
    runCommand('analyzer', async () => {
      const cfg = loadConfig({ shape, argv });
      const { fetchBatch, prices: priceFile, ...rest } = cfg;
      const prices = priceBookOf(priceFile);
      const analyzerKeys = ['idleMs', 'endMs', 'waitingMs', 'contextThreshold', 'loopCount', 'errorBurstCount', 'anomalyZ', 'maxSessions', 'metricsByProject', 'metricsByUser'] as const;
      const config = Object.fromEntries(analyzerKeys.filter((k) => rest[k] !== undefined).map((k) => [k, rest[k]]));
      return runNatsServiceCommand('analyzer', cfg, async ({ nc, bus, topology, logger, metrics }) => [
        createAnalyzer({ bus, topology, logger, metrics, store: await openKvStateStore(nc, topology.bucket('analyzer')), config, batchSize: fetchBatch, prices }),
      ]);
    }),
};
