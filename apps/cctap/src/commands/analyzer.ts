/** `cctap analyzer`: live sessions, tool spans, loops and anomalies (CCTAP_EVENTS -> CCTAP_DERIVED). */
import { z } from 'zod';
import { baseConfigShape, natsConfigShape } from '@cctap/kit/shape';
import type { CommandSpec } from '../flags/command-spec.js';
import { printShapeHelp } from '../flags/shape-help.js';
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
  // The work (analyzer-run.ts, with the kit's NATS client, metrics and YAML reader and the service) is loaded only
  // when the command line does not ask for the help.
  run: (argv) =>
    runCommand(
      'analyzer',
      async () => printShapeHelp(spec, argv) ?? (await import('./analyzer-run.js')).runAnalyzer(argv),
    ),
};
