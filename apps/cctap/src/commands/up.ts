/**
 * `cctap up`: the whole pipeline in one process (DESIGN section 8). Assembly in up/assemble-pipeline.ts, the
 * screen in up/terminal-ui.ts, the feed in up/live-feed.ts, the loopback endpoint for `cctap report` /
 * `cctap sql` in up/query-server.ts, the demo in up/demo.ts.
 *
 * Life: parse flags -> take the store (up.json lock) -> start every service (collector last) -> backfill
 * with a progress bar -> live feed and status lines -> SIGTERM/SIGINT: collector stops reading and waits for
 * its acks, the bus drains, the sink flushes, the summary is printed, the store closes, up.json goes away.
 * `--once` stops by itself once the backfill is in the store. Exit 1 when the store is locked by another
 * process, 2 on a bad flag.
 */
import { printShapeHelp } from '../flags/shape-help.js';
import { upSpec } from '../up/up-spec.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';

export const spec = upSpec;

export const command: Command = {
  spec,
  // The work (up-run.ts: the pipeline, the engine, the services, the web page) is loaded only when the command
  // line does not ask for the help.
  run: (argv) => runCommand('up', async () => printShapeHelp(spec, argv) ?? (await import('./up-run.js')).runUp(argv)),
};
