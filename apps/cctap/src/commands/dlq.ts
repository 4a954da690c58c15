/**
 * `cctap dlq <action>`: the messages a consumer gave up on (max deliveries) or terminated.
 *
 *   cctap dlq list [--json] [--consumer X]          what is there: when, stream, consumer, kind, subject, size, why
 *   cctap dlq show <id>                              its headers and the original payload (pretty JSON when JSON)
 *   cctap dlq replay <id> | --all [--consumer X]     publish the original again to its subject, then remove it
 *
 * Where: the CCTAP_DLQ stream when NATS_URL / --nats is set (dlq/nats-dead-letters.ts; the validator forwards
 * dead letters there); otherwise `<data>/dead-letters.jsonl` of `cctap up` (dlq/file-dead-letters.ts),
 * which list and show read, and which replay cannot feed back into a running `up`.
 */
import { z } from 'zod';
import { baseConfigShape, natsConfigShape } from '@cctap/kit/shape';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { printShapeHelp } from '../flags/shape-help.js';
import { suggest } from '../flags/parse-flags.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';
import { SUMMARIES } from './summaries.js';

/** Where the dead letters are: NATS when named (no default server: without one, `cctap up`'s data directory). */
export const placeShape = {
  ...natsConfigShape,
  nats: z.string().optional().meta({
    arg: 'URL[,URL...]',
    list: true,
    description:
      'the CCTAP_DLQ stream of this NATS server (env NATS_URL); without it the dead letters of cctap up on --data',
  }),
  data: z
    .string()
    .optional()
    .meta({ arg: 'DIR', description: 'the data directory cctap up runs on (default ~/.cctap/data)' }),
  config: baseConfigShape.config,
};

const consumerField = z
  .string()
  .optional()
  .meta({ arg: 'NAME', description: 'only the dead letters of this consumer (sink-events, analyzer, …)' });
const idField = z.string().optional().meta({ arg: 'ID', description: 'the dead letter (dlq list shows its id)' });

export const listSpec = {
  name: 'dlq list',
  summary: 'dead letters: when, stream, consumer, kind, subject, size, reason',
  usage: 'usage: cctap dlq list [--json] [--consumer NAME] [--limit N]',
  shape: {
    ...placeShape,
    json: z.boolean().default(false).meta({ description: 'print the dead letters as JSON' }),
    consumer: consumerField,
    limit: z.coerce
      .number()
      .int()
      .positive()
      .default(1000)
      .meta({ arg: 'N', description: 'at most the N most recent dead letters' }),
  },
} satisfies CommandSpec;

export const showSpec = {
  name: 'dlq show',
  summary: 'one dead letter: its headers and the original payload',
  usage: 'usage: cctap dlq show <id>',
  shape: { ...placeShape, id: idField },
} satisfies CommandSpec;

export const replaySpec = {
  name: 'dlq replay',
  summary: 'publish dead letters again to their original subject, then remove them',
  usage: 'usage: cctap dlq replay <id> | --all [--consumer NAME]',
  notes:
    'The original goes through the pipeline again (every consumer of its stream sees it; they drop what they already stored), with a message id that makes JetStream drop a second replay of it.',
  shape: {
    ...placeShape,
    id: idField,
    all: z.boolean().default(false).meta({ description: 'every dead letter (of --consumer, when given)' }),
    consumer: consumerField,
  },
} satisfies CommandSpec;

const SUBCOMMANDS = [listSpec, showSpec, replaySpec] as const;
const ACTIONS = SUBCOMMANDS.map((s) => s.name.slice('dlq '.length));

export const spec = {
  name: 'dlq',
  summary: SUMMARIES.dlq,
  usage: `usage:
${SUBCOMMANDS.map((s) => `  ${s.usage.slice('usage: '.length)}`).join('\n')}
Reads the CCTAP_DLQ stream when NATS_URL (--nats) is set, else the dead letters cctap up kept in
--data DIR (default ~/.cctap/data)/dead-letters.jsonl.`,
  subcommands: SUBCOMMANDS,
} satisfies CommandSpec;

/** `<id>` as the first word after the action, or --id. */
export function idArg(argv: readonly string[]): { id: string | undefined; rest: string[] } {
  const [first, ...rest] = argv;
  return first !== undefined && !first.startsWith('-') ? { id: first, rest } : { id: undefined, rest: [...argv] };
}

export const command: Command = {
  spec,
  run: ([action, ...argv]) =>
    runCommand('dlq', async () => {
      // An action's work (dlq-run.ts: the kit's NATS client, the dead letters' readers) is loaded only when its
      // command line does not ask for the help; show and replay read theirs after the dead letter's id.
      const sub = SUBCOMMANDS.find((s) => s.name === `dlq ${action}`);
      if (action !== undefined && sub !== undefined)
        return (
          printShapeHelp(sub, action === 'list' ? argv : idArg(argv).rest) ??
          (await import('./dlq-run.js')).runDlqAction(action, argv)
        );
      if (action === '--help' || action === '-h' || action === 'help') {
        console.log(`${spec.usage}\nRun 'cctap dlq <action> --help' for an action's options.`);
        return EXIT.ok;
      }
      if (action === undefined) {
        console.error(spec.usage);
        return EXIT.usage;
      }
      const close = suggest(action, ACTIONS);
      console.error(
        `cctap dlq: unknown action '${action}'${close ? `; did you mean ${close}?` : `; the actions are ${ACTIONS.join(', ')}.`} Run 'cctap dlq --help' for their options.`,
      );
      return EXIT.usage;
    }),
};
