/** `cctap sink` options (kit config: flags > CCTAP_* env > config file > defaults). */
import { baseConfigShape, natsConfigShape } from '@cctap/kit/shape';
import { z } from 'zod';

export const sinkConfigShape = {
  ...baseConfigShape,
  ...natsConfigShape,
  /** ClickHouse server URL (env CLICKHOUSE_URL); without it the embedded engine in `data`. */
  clickhouse: z.string().optional().meta({
    arg: 'URL',
    description: 'ClickHouse server (env CLICKHOUSE_URL); without it the embedded engine in --data',
  }),
  /** Embedded engine data directory (default ~/.cctap/data). */
  data: z
    .string()
    .optional()
    .meta({ arg: 'DIR', description: 'embedded engine data directory (default ~/.cctap/data)' }),
  /** Cluster mode of the migrations the sink applies at start (a replicated ClickHouse cluster, docs/deploy.md). */
  cluster: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a cluster name is letters, digits and _')
    .optional()
    .meta({
      arg: 'NAME',
      description: 'a replicated ClickHouse cluster: the migrations create Replicated tables, DDL ON CLUSTER NAME',
    }),
  /** Price file over the shipped book (env CCTAP_PRICES; the CLI defaults it to ~/.cctap/prices.json when that exists). */
  prices: z.string().optional().meta({
    arg: 'FILE',
    description:
      'price file over the shipped book (default ~/.cctap/prices.json when it exists); synced into the store at start',
  }),
  /** Messages per flush: one insert per table per flush. */
  batchSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(100)
    .meta({ description: 'messages per flush (one insert per table per flush)' }),
  /** Longest wait for a flush to fill, ms (JetStream's fetch minimum is 1000). */
  flushIntervalMs: z.coerce
    .number()
    .int()
    .min(1000)
    .max(60_000)
    .default(1000)
    .meta({ description: 'longest wait for a flush to fill, ms' }),
};
