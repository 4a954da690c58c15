/** `cctap sink` options (kit config: flags > CCTAP_* env > config file > defaults). */
import { baseConfigShape, natsConfigShape } from '@cctap/kit';
import { z } from 'zod';

export const sinkConfigShape = {
  ...baseConfigShape,
  ...natsConfigShape,
  /** ClickHouse server URL (env CLICKHOUSE_URL); without it the embedded engine in `data`. */
  clickhouse: z.string().optional(),
  /** Embedded engine data directory (default ~/.cctap/data). */
  data: z.string().optional(),
  /** Price file over the shipped book (env CCTAP_PRICES; the CLI defaults it to ~/.cctap/prices.json when that exists). */
  prices: z.string().optional(),
  /** Messages per flush: one insert per table per flush. */
  batchSize: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Longest wait for a flush to fill, ms (JetStream's fetch minimum is 1000). */
  flushIntervalMs: z.coerce.number().int().min(1000).max(60_000).default(1000),
};
