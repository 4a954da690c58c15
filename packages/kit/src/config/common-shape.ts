/**
 * The fields every service's config shape starts with (config file, logs, probes, graceful stop) and those of a
 * NATS connection. Apart from the config loader (which reads YAML) so that a command's declaration and its
 * `--help` load only zod (`@cctap/kit/shape`).
 */
import { z } from 'zod';
import { LOG_LEVELS } from '../log/logger.js';

export const baseConfigShape = {
  config: z
    .string()
    .optional()
    .meta({ arg: 'FILE', description: 'YAML or JSON file of options (keys spelled as the flags)' }),
  logLevel: z.enum(LOG_LEVELS).default('info').meta({ description: 'least severe log line written' }),
  logFormat: z.enum(['json', 'pretty']).default('json').meta({ description: 'log line format' }),
  /** Port of /livez /readyz /metrics; 0 picks a free port (logged). */
  metricsPort: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(9464)
    .meta({ description: 'port of /metrics, /livez, /readyz; 0 = a free port' }),
  metricsHost: z.string().default('0.0.0.0').meta({ arg: 'HOST', description: 'address the probe server binds' }),
  /** Hard deadline for a graceful stop, ms; keep it below the orchestrator's grace period. */
  shutdownTimeoutMs: z.coerce
    .number()
    .int()
    .positive()
    .default(25_000)
    .meta({ description: 'hard deadline for a graceful stop, ms' }),
};

export const natsConfigShape = {
  /** Every server of a cluster may be given: the client fails over between them (and learns the others). */
  nats: z.string().default('nats://127.0.0.1:4222').meta({
    arg: 'URL[,URL...]',
    list: true,
    description: 'NATS server, or every server of a cluster, comma-separated (env NATS_URL)',
  }),
  natsUser: z.string().optional().meta({ arg: 'USER', description: 'NATS user (with --nats-password)' }),
  natsPassword: z.string().optional().meta({ arg: 'PASSWORD', description: 'NATS password' }),
  natsToken: z.string().optional().meta({ arg: 'TOKEN', description: 'NATS token' }),
  natsNkeySeedFile: z.string().optional().meta({ arg: 'FILE', description: 'NATS nkey seed file' }),
  natsCredsFile: z.string().optional().meta({ arg: 'FILE', description: 'NATS credentials file (JWT + nkey)' }),
  natsTlsCa: z
    .string()
    .optional()
    .meta({ arg: 'FILE', description: 'CA certificate the NATS server is checked against' }),
  natsTlsCert: z
    .string()
    .optional()
    .meta({ arg: 'FILE', description: 'client certificate for NATS (with --nats-tls-key)' }),
  natsTlsKey: z.string().optional().meta({ arg: 'FILE', description: 'client certificate key for NATS' }),
  /** Topology prefix (several pipelines on one server); empty in production. */
  prefix: z.string().default('').meta({ arg: 'P', description: 'topology prefix (several pipelines on one server)' }),
};

/** The shared fields: a command's help lists them after its own. */
export const COMMON_FIELDS: ReadonlySet<string> = new Set([
  ...Object.keys(baseConfigShape),
  ...Object.keys(natsConfigShape),
]);
