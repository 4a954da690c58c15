/**
 * `cctap sink`: the ClickHouse writer. Consumes sink-events, sink-invalid, sink-derived and sink-alerts from
 * JetStream, applies the migrations first (idempotent), serves /livez /readyz /metrics, stops cleanly on
 * SIGTERM/SIGINT (stop pulling, finish and ack the flush in progress, close).
 */
import { sinkConfigShape } from '@cctap/sink/shape';
import type { CommandSpec } from '../flags/command-spec.js';
import { printShapeHelp } from '../flags/shape-help.js';
import type { Command } from './registry.js';
import { SUMMARIES } from './summaries.js';

const USAGE = `usage: cctap sink --nats URL [--clickhouse URL | --data DIR] [options]

Writes the event, invalid, derived and alert streams into ClickHouse; applies the migrations first (idempotent).
Retention (applied when a table is created): CCTAP_EVENTS_TTL_DAYS, CCTAP_INVALID_TTL_DAYS.`;

export const spec = {
  name: 'sink',
  summary: SUMMARIES.sink,
  usage: USAGE,
  shape: sinkConfigShape,
} satisfies CommandSpec;

export const command: Command = {
  spec,
  // The work (sink-run.ts: the sink, the store, the kit's NATS client) is loaded only when the command line does
  // not ask for the help.
  run: async (argv) => printShapeHelp(spec, argv) ?? (await import('./sink-run.js')).runSink(argv),
};
