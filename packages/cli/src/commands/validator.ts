/** `cctap validator`: the trust boundary service (CCTAP_RAW -> CCTAP_EVENTS / CCTAP_INVALID). */
import { z } from 'zod';
import { baseConfigShape, loadConfig, natsConfigShape } from '@cctap/kit';
import { createValidatorService } from '@cctap/validator';
import { runNatsServiceCommand } from '../nats-service-command.js';
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
      return runNatsServiceCommand('validator', cfg, async ({ bus, topology, logger, metrics }) => [
        createValidatorService({ bus, topology, logger, metrics, maxFutureMs: cfg.maxFutureMs, fetchBatch: cfg.fetchBatch }),
      ]);
    }),
};
