/**
 * The options of `cctap collect`: the kit's base and NATS fields plus the collector's own. Apart from the
 * loader (config.ts) and the collector so that the command's declaration and its `--help` load zod and these
 * fields only (`@cctap/collector/shape`), not the collector, the NATS client or the YAML reader.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PRIVACY_MODES } from '@cctap/events';
import { baseConfigShape, natsConfigShape } from '@cctap/kit/shape';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

export const collectShape = {
  ...baseConfigShape,
  ...natsConfigShape,
  // No default server: a laptop agent pointed at nothing should say so, not publish into a local void.
  nats: z
    .string({ error: 'is required (a URL such as nats://nats.example:4222, or NATS_URL)' })
    .min(1)
    .meta({ arg: 'URL', description: 'NATS server to publish to (env NATS_URL; required)' }),
  // A laptop agent's probes (metrics name projects and hosts) are for this machine only; a container that
  // is scraped from outside sets `--metrics-host 0.0.0.0` (docker-compose.yml does).
  metricsHost: z.string().default('127.0.0.1').meta({ arg: 'HOST', description: 'address the probe server binds' }),
  /** Claude config directories (repeatable); default: CLAUDE_CONFIG_DIR, ~/.config/claude, ~/.claude. */
  root: z.array(z.string().min(1)).default([]).meta({
    arg: 'DIR',
    description:
      'Claude config directory whose projects/ tree is tailed (default CLAUDE_CONFIG_DIR, ~/.config/claude, ~/.claude)',
  }),
  state: z
    .string()
    .default(join(homedir(), '.cctap', 'collector'))
    .meta({ arg: 'DIR', description: 'checkpoints and delivered-line records' }),
  host: z
    .string()
    .min(1)
    .optional()
    .meta({ arg: 'NAME', description: 'host name written on every event (default the hostname)' }),
  /** The OS user recorded on events; `hashUser` replaces it by a short hash. */
  osUser: z
    .string()
    .min(1)
    .optional()
    .meta({ arg: 'NAME', description: 'user written on every event (default the OS user)' }),
  hashUser: z.boolean().default(false).meta({ description: 'write a short hash of the user instead of the name' }),
  privacy: z
    .enum(PRIVACY_MODES)
    .default('redacted')
    .meta({ description: 'what text leaves the transcript (redacted: secrets masked)' }),
  since: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date (use e.g. 2026-01-31)')
    .optional()
    .meta({ arg: 'DATE', description: 'skip files last modified before DATE on first sight' }),
  labels: z
    .record(z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'label names are [a-zA-Z0-9_.-]{1,64}'), z.string().max(512))
    .default({})
    .meta({
      arg: 'NAME=VALUE,...',
      description: 'labels written on every event (in the --config file a mapping: labels: {team: core})',
    }),
  guardDecisions: z
    .string()
    .default(join(homedir(), '.cctap', 'guard', 'decisions.jsonl'))
    .meta({ arg: 'FILE', description: "decisions of 'cctap guard', published as guard events ('' for none)" }),
  once: z.boolean().default(false).meta({ description: 'backfill what exists, wait for every ack, exit' }),
  /** Forget the checkpoints at start: every transcript is read and sent again (the destination dedups). */
  reset: z.boolean().default(false).meta({
    description:
      'forget the checkpoints first: every transcript is read and sent again (the stream and the store drop what they already have); for one run, not for a config file',
  }),
  sweepMs: positiveInt
    .default(1000)
    .meta({ description: 'how often recently active files are checked for new lines, ms' }),
  fullSweepMs: positiveInt.default(30_000).meta({ description: 'how often every file is checked, ms' }),
  hotWindowMs: positiveInt
    .default(10 * 60_000)
    .meta({ description: 'a file written within this long counts as recently active, ms' }),
  heartbeatSeconds: z.coerce
    .number()
    .int()
    .min(0)
    .default(30)
    .meta({ description: 'period of the host heartbeat event; 0 = none' }),
  stringCap: positiveInt.optional().meta({ description: 'longest text kept per field, characters' }),
  // Tuning (defaults are what the benchmarks in docs/benchmarks.md measured):
  batchLines: positiveInt.optional().meta({ description: 'tuning: lines per published batch' }),
  maxInFlight: positiveInt.optional().meta({ description: 'tuning: batches awaiting their ack' }),
  readChunkBytes: positiveInt.optional().meta({ description: 'tuning: bytes read from a file at once' }),
  checkpointFlushMs: positiveInt.optional().meta({ description: 'tuning: how often checkpoints are written, ms' }),
};

export type CollectConfig = z.infer<z.ZodObject<typeof collectShape>>;
