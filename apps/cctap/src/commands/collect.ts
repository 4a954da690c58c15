/**
 * `cctap collect`: the host agent. Tails this machine's Claude Code transcripts into JetStream
 * (services/collector) under the kit's runner: /metrics /livez /readyz on the probe server, and on
 * SIGTERM/SIGINT: not ready, stop reading, wait for in-flight acks, write the checkpoint, drain NATS.
 * On a terminal it reads like `cctap up` (collect-terminal.ts); JSON log lines elsewhere or with
 * --log-format json. `--once`: backfill what exists, wait for every ack, exit 0 (a signal stops it the
 * same graceful way and exits 1: the backfill is incomplete).
 */
import { collectShape } from '@cctap/collector/shape';
import type { CommandSpec } from '../flags/command-spec.js';
import { printShapeHelp } from '../flags/shape-help.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';
import { SUMMARIES } from './summaries.js';

export const spec = {
  name: 'collect',
  summary: SUMMARIES.collect,
  usage: `usage: cctap collect --nats URL [options]

The host agent: tails this machine's Claude Code transcripts and publishes them to NATS JetStream.
A host credential from 'cctap nats-config' is a ready --config file for it.`,
  shape: collectShape,
} satisfies CommandSpec;

export const command: Command = {
  spec,
  // The work (collect-run.ts: the collector, the kit's NATS client, metrics and YAML reader) is loaded only when
  // the command line does not ask for the help.
  run: (argv) =>
    runCommand(
      'collect',
      async () => printShapeHelp(spec, argv) ?? (await import('./collect-run.js')).runCollect(argv, spec.usage),
    ),
};
