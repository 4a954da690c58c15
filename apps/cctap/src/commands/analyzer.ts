/** `cctap analyzer`: live sessions, tool spans, loops and anomalies (CCTAP_EVENTS -> CCTAP_DERIVED). */
import { z } from 'zod';
import { baseConfigShape, JetStreamBus, natsConfigShape } from '@cctap/kit';
import { createAnalyzer, createPartitionedAnalyzer, openKvStateStore } from '@cctap/analyzer';
import { runNatsServiceCommand } from '../nats-service-command.js';
import { priceBookOf } from '../price-book-of.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';
import { SUMMARIES } from './summaries.js';

const ms = z.coerce.number().int().nonnegative();
const shape = {
  ...baseConfigShape,
  ...natsConfigShape,
  idleMs: ms.optional().meta({ description: 'no activity for this long: session idle, ms (default 300000)' }),
  endMs: ms.optional().meta({ description: 'no activity for this long: session ended, ms (default 1800000)' }),
  waitingMs: ms.optional().meta({
    description:
      'the assistant ended its turn and nothing happened for this long: waiting for input, ms (default 120000)',
  }),
  contextThreshold: z.coerce
    .number()
    .positive()
    .max(1)
    .optional()
    .meta({ description: 'share of the context window that raises a context-pressure event, 0..1 (default 0.8)' }),
  loopCount: z.coerce
    .number()
    .int()
    .min(2)
    .optional()
    .meta({ description: 'repeated tool calls that make a loop (default 5)' }),
  errorBurstCount: z.coerce
    .number()
    .int()
    .min(2)
    .optional()
    .meta({ description: 'tool or API errors close together that make a burst (default 5)' }),
  anomalyZ: z.coerce
    .number()
    .positive()
    .optional()
    .meta({ description: 'z-score above which a session metric is an anomaly (default 3.5)' }),
  maxSessions: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: 'live sessions kept in memory (default 10000)' }),
  metricsByProject: z.boolean().optional().meta({ description: 'label business metrics with the project' }),
  metricsByUser: z.boolean().optional().meta({ description: 'label business metrics with the user' }),
  fetchBatch: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: 'events fetched per pull' }),
  partitioned: z.boolean().optional().meta({
    description:
      'run as one of several replicas: consume only the events partitions this replica holds a lease on (docs/deploy.md, "Analyzer replicas")',
  }),
  leaseMs: z.coerce.number().int().min(1000).default(15_000).meta({
    description: 'partition lease time to live, ms, when this replica creates the lease bucket (with --partitioned)',
  }),
  /** Price file over the shipped book (env CCTAP_PRICES; default ~/.cctap/prices.json when it exists). */
  prices: z.string().optional().meta({
    arg: 'FILE',
    description: 'price file over the shipped book (default ~/.cctap/prices.json when it exists)',
  }),
};

export const spec = {
  name: 'analyzer',
  summary: SUMMARIES.analyzer,
  usage:
    'usage: cctap analyzer [options]\n\nFollows every session live (CCTAP_EVENTS): tool spans, loops, error bursts, anomalies; publishes derived events (CCTAP_DERIVED).',
  shape,
} satisfies CommandSpec;

export const command: Command = {
  spec,
  run: (argv) =>
    runCommand('analyzer', async () => {
      const cfg = loadCommandConfig(spec, argv);
      const { fetchBatch, partitioned, leaseMs, prices: priceFile, ...rest } = cfg;
      const prices = priceBookOf(priceFile);
      const analyzerKeys = [
        'idleMs',
        'endMs',
        'waitingMs',
        'contextThreshold',
        'loopCount',
        'errorBurstCount',
        'anomalyZ',
        'maxSessions',
        'metricsByProject',
        'metricsByUser',
      ] as const;
      const config = Object.fromEntries(analyzerKeys.filter((k) => rest[k] !== undefined).map((k) => [k, rest[k]]));
      return runNatsServiceCommand('analyzer', cfg, async ({ nc, bus, topology, logger, metrics }) => [
        partitioned && bus instanceof JetStreamBus
          ? createPartitionedAnalyzer({
              bus,
              nc,
              topology,
              logger,
              metrics,
              config,
              batchSize: fetchBatch,
              prices,
              leaseMs,
            })
          : createAnalyzer({
              bus,
              topology,
              logger,
              metrics,
              store: await openKvStateStore(nc, topology.bucket('analyzer')),
              config,
              batchSize: fetchBatch,
              prices,
            }),
      ]);
    }),
};
