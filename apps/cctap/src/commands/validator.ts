/**
 * `cctap validator`: the trust boundary service (CCTAP_RAW -> CCTAP_EVENTS / CCTAP_INVALID), which also
 * forwards the pipeline's dead letters to CCTAP_DLQ (dlq/forwarder-service.ts says why here).
 */
import { z } from 'zod';
import { baseConfigShape, ConfigError, natsConfigShape } from '@cctap/kit';
import { createValidatorService, loadUsersPerHost, UsersPerHostError, type UsersPerHost } from '@cctap/validator';
import { deadLetterForwarderService } from '../dlq/forwarder-service.js';
import { runNatsServiceCommand } from '../nats-service-command.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';
import { SUMMARIES } from './summaries.js';

const shape = {
  ...baseConfigShape,
  ...natsConfigShape,
  /** Reject events whose timestamp is further ahead than this, ms. */
  maxFutureMs: z.coerce
    .number()
    .int()
    .positive()
    .default(86_400_000)
    .meta({ description: 'reject events whose timestamp is further ahead than this, ms' }),
  fetchBatch: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(64)
    .meta({ description: 'raw batches fetched per pull' }),
  /** JSON file mapping each host to the users it may report; events of other users are rejected. */
  usersPerHost: z.string().optional().meta({
    arg: 'FILE',
    description: 'JSON file mapping each host to the users it may report; other users are rejected',
  }),
};

export const spec = {
  name: 'validator',
  summary: SUMMARIES.validator,
  usage:
    'usage: cctap validator [options]\n\nThe trust boundary: validates the raw batches hosts publish (CCTAP_RAW) and routes each event to CCTAP_EVENTS or CCTAP_INVALID. It also moves what any consumer gave up on to CCTAP_DLQ (see cctap dlq).',
  shape,
} satisfies CommandSpec;

export const command: Command = {
  spec,
  run: (argv) =>
    runCommand('validator', async () => {
      const cfg = loadCommandConfig(spec, argv);
      const usersPerHost = cfg.usersPerHost === undefined ? undefined : readUsersPerHost(cfg.usersPerHost);
      return runNatsServiceCommand('validator', cfg, async (ctx) => [
        deadLetterForwarderService(ctx),
        createValidatorService({
          bus: ctx.bus,
          topology: ctx.topology,
          logger: ctx.logger,
          metrics: ctx.metrics,
          maxFutureMs: cfg.maxFutureMs,
          fetchBatch: cfg.fetchBatch,
          ...(usersPerHost ? { usersPerHost } : {}),
        }),
      ]);
    }),
};

/** A bad list stops the validator at boot with one line: running without it would accept any user. */
function readUsersPerHost(file: string): UsersPerHost {
  try {
    return loadUsersPerHost(file);
  } catch (err) {
    if (err instanceof UsersPerHostError) throw new ConfigError(`--users-per-host: ${err.message}`);
    throw err;
  }
}
