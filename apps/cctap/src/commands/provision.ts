/** `cctap provision`: create or update every stream, consumer and KV bucket (idempotent). */
import { z } from 'zod';
import { baseConfigShape, natsConfigShape } from '@cctap/kit/shape';
import type { CommandSpec } from '../flags/command-spec.js';
import { printShapeHelp } from '../flags/shape-help.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';
import { SUMMARIES } from './summaries.js';

const shape = {
  ...natsConfigShape,
  config: baseConfigShape.config,
  replicas: z.coerce
    .number()
    .int()
    .min(1)
    .max(5)
    .default(1)
    .meta({ description: 'stream and bucket replicas (a cluster of 3 or 5 servers)' }),
  /** One max-bytes for every stream (small servers); by default each stream has its own. */
  maxBytes: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: 'one size limit, bytes, for every stream (small servers); by default each has its own' }),
  /** The servers' max_file_store (deploy/k8s passes the same number to both): the streams are sized to it. */
  storage: z.coerce.number().int().positive().optional().meta({
    description:
      "each server's JetStream file storage, bytes (its max_file_store): the streams together get 80% of it, in the default proportions",
  }),
  maxDeliver: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .meta({ description: 'deliveries of a message before it is dead-lettered' }),
  ackWaitMs: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: 'how long a consumer may hold a message unacknowledged, ms' }),
  maxAckPending: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .meta({ description: 'unacknowledged messages a consumer may hold' }),
  json: z.boolean().default(false).meta({ description: 'print the report as JSON' }),
};

export const spec = {
  name: 'provision',
  summary: SUMMARIES.provision,
  usage: `usage: cctap provision [options]\n\nCreate or update the NATS streams, consumers and KV buckets (idempotent: run it again after an upgrade).`,
  shape,
} satisfies CommandSpec;

export const command: Command = {
  spec,
  // The work (provision-run.ts, with the kit's NATS client, metrics and YAML reader and the service) is loaded only
  // when the command line does not ask for the help.
  run: (argv) =>
    runCommand(
      'provision',
      async () => printShapeHelp(spec, argv) ?? (await import('./provision-run.js')).runProvision(argv),
    ),
};
