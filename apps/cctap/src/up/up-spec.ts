/**
 * `cctap up`'s declaration: the kit's base and NATS fields, the collector's identity and privacy fields, the
 * alerter's receivers, and up's own. Apart from how they are read (up-config.ts) and from the pipeline so that
 * `cctap up --help` loads zod and these declarations only.
 */
import { z } from 'zod';
import { collectShape } from '@cctap/collector/shape';
import { baseConfigShape, natsConfigShape } from '@cctap/kit/shape';
import type { CommandSpec } from '../flags/command-spec.js';
import { alerterRulesShape } from '../alerter-rules-shape.js';
import { SUMMARIES } from '../commands/summaries.js';

export const upShape = {
  ...baseConfigShape,
  ...natsConfigShape,
  // Unlike the services, up needs no server: without NATS_URL it runs the in-process bus.
  nats: z.string().optional().meta({
    arg: 'URL[,URL...]',
    list: true,
    description:
      'use NATS JetStream instead of the in-process bus (env NATS_URL; a cluster: every server, comma-separated)',
  }),
  // A laptop tool: metrics on loopback unless asked otherwise.
  metricsHost: z.string().default('127.0.0.1').meta({ arg: 'HOST', description: 'address the probe server binds' }),
  logLevel: baseConfigShape.logLevel.meta({
    description: 'least severe log line written; on a terminal warn unless given',
  }),
  logFormat: z
    .enum(['json', 'pretty'])
    .default('pretty')
    .meta({ description: 'json for service managers: the feed and progress become JSON log lines' }),
  /** ClickHouse server URL (env CLICKHOUSE_URL); without it the embedded engine in `data`. */
  clickhouse: z
    .string()
    .optional()
    .meta({ arg: 'URL', description: 'use a ClickHouse server instead of the embedded engine (env CLICKHOUSE_URL)' }),
  /** Embedded store directory (env CCTAP_DATA; default ~/.cctap/data). */
  data: z
    .string()
    .optional()
    .meta({ arg: 'DIR', description: 'embedded store; also holds up.json and collector/ (default ~/.cctap/data)' }),
  /** Collector checkpoints; default <data>/collector (embedded) or ~/.cctap/collector (server). */
  state: z.string().optional().meta({
    arg: 'DIR',
    description:
      'collector checkpoints and delivered-line records (default <data>/collector; server store: ~/.cctap/collector); they belong to the store (and on NATS the stream) they were delivered to: started against another one, the collector forgets them and reads every transcript again (from --since if given), saying so in one line',
  }),
  root: collectShape.root,
  host: collectShape.host,
  osUser: collectShape.osUser,
  hashUser: collectShape.hashUser,
  privacy: collectShape.privacy,
  since: collectShape.since,
  labels: collectShape.labels,
  reset: collectShape.reset,
  guardDecisions: collectShape.guardDecisions,
  once: z.boolean().default(false).meta({
    description:
      'backfill what exists, flush it all into the store, print the summary (with what was not stored: dead letters in <data>/dead-letters.jsonl, unreadable entries, malformed lines); exit 0, or 3 when something was not stored, 1 when stopped early',
  }),
  demo: z.boolean().default(false).meta({
    description:
      'replay the sample transcripts shipped with cctap, live, into a temporary root (and store, unless --data); its hints name that store',
  }),
  demoSpeed: z.coerce
    .number()
    .positive()
    .max(100)
    .default(1)
    .meta({ description: 'demo pace multiplier (1: about 90 s)' }),
  quiet: z.boolean().default(false).meta({ description: 'no banner, progress or feed; warnings and errors only' }),
  /** Price file over the shipped book (env CCTAP_PRICES; default ~/.cctap/prices.json when it exists). */
  prices: z.string().optional().meta({
    arg: 'FILE',
    description:
      'price file over the shipped book (default ~/.cctap/prices.json when it exists); every stored response is re-priced with it at start',
  }),
  /** Seconds between status lines (active sessions, today's tokens and cost); 0: none. */
  statusSeconds: z.coerce
    .number()
    .int()
    .min(0)
    .default(30)
    .meta({ description: "period of the status line (active sessions, today's tokens and cost); 0 = none" }),
  ...alerterRulesShape,
};

export const upSpec = {
  name: 'up',
  summary: SUMMARIES.up,
  usage: `usage: cctap up [options]

The whole pipeline in one process: collector, validator, analyzer, alerter and sink on an in-process bus
and the embedded ClickHouse in ~/.cctap/data, or on real servers when NATS_URL / CLICKHOUSE_URL are set.
No transcripts on this machine yet? cctap up --demo replays sample sessions live.`,
  shape: upShape,
} satisfies CommandSpec;
