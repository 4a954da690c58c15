/**
 * `cctap validator`: the trust boundary service (CCTAP_RAW -> CCTAP_EVENTS / CCTAP_INVALID), which also
 * forwards the pipeline's dead letters to CCTAP_DLQ (dlq/forwarder-service.ts says why here).
 */
import { z } from 'zod';
import { baseConfigShape, natsConfigShape } from '@cctap/kit/shape';
import type { CommandSpec } from '../flags/command-spec.js';
import { printShapeHelp } from '../flags/shape-help.js';
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
  // The work (validator-run.ts, with the kit's NATS client, metrics and YAML reader and the service) is loaded only
  // when the command line does not ask for the help.
  run: (argv) =>
    runCommand(
      'validator',
      async () => printShapeHelp(spec, argv) ?? (await import('./validator-run.js')).runValidator(argv),
    ),
};
