/** `cctap provision`: create or update every stream, consumer and KV bucket (idempotent). */
import { z } from 'zod';
import {
  baseConfigShape,
  connectNats,
  formatBytes,
  natsConfigShape,
  natsOptionsFromConfig,
  provision,
} from '@cctap/kit';
import { oneShotWaitOf } from '../one-shot-wait.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
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
  run: (argv) =>
    runCommand('provision', async () => {
      const cfg = loadCommandConfig(spec, argv);
      // A one-shot command: waits for NATS as long as CCTAP_WAIT_SECONDS says (default 30 s), then gives up.
      const nc = await connectNats({ ...natsOptionsFromConfig(cfg, 'cctap-provision'), ...oneShotWaitOf() });
      try {
        const report = await provision(nc, {
          prefix: cfg.prefix,
          replicas: cfg.replicas,
          ...(cfg.maxBytes !== undefined ? { maxBytes: cfg.maxBytes } : {}),
          ...(cfg.storage !== undefined ? { storageBytes: cfg.storage } : {}),
          ...(cfg.maxDeliver !== undefined ? { maxDeliver: cfg.maxDeliver } : {}),
          ...(cfg.ackWaitMs !== undefined ? { ackWaitMs: cfg.ackWaitMs } : {}),
          ...(cfg.maxAckPending !== undefined ? { maxAckPending: cfg.maxAckPending } : {}),
        });
        if (cfg.json) {
          console.log(JSON.stringify(report, null, 2));
        } else {
          console.log(`nats-server ${report.serverVersion}`);
          if (report.fittedTo !== null)
            console.log(
              `the stream sizes asked for do not fit: JetStream could reserve ${formatBytes(report.fittedTo)} more; streams that exist keep their size, new ones share 90% of it`,
            );
          for (const e of report.entries) {
            const size = e.maxBytes !== undefined ? `  max ${formatBytes(e.maxBytes)}` : '';
            console.log(
              `  ${e.kind.padEnd(8)} ${e.name.padEnd(40)} ${e.action}${e.changed ? ` (${e.changed.join(', ')})` : ''}${size}`,
            );
          }
          const n = (a: string) => report.entries.filter((e) => e.action === a).length;
          const replaced =
            n('replaced') > 0 ? `, ${n('replaced')} replaced (new retention; everything in it had been consumed)` : '';
          console.log(`${n('created')} created, ${n('updated')} updated, ${n('unchanged')} unchanged${replaced}`);
        }
        return EXIT.ok;
      } finally {
        await nc.close();
      }
    }),
};
