/**
 * `cctap alerts <action>`: look at and steer the alerter.
 *
 *   cctap alerts list [--json]                                      alerts (with their deliveries) and active silences
 *   cctap alerts silence --match rule=X,host=Y --for 2h --comment …  mute matching alerts (label=value; /re/ for a regex)
 *   cctap alerts unsilence --id ID                                  end a silence now
 *   cctap alerts test --receiver NAME [--rules FILE]                send a test notification
 *
 * Where (alerts/alert-access.ts): the NATS KV buckets when NATS_URL / --nats is set; otherwise the `cctap up`
 * running on --data (default ~/.cctap/data) over its loopback endpoint, or that data directory's alert files
 * when none runs. `test` without --rules (or --webhook-url / --slack-webhook-url) asks the running `up` to
 * use its own receivers.
 */
import { z } from 'zod';
import { baseConfigShape, natsConfigShape } from '@cctap/kit/shape';
import { alerterRulesShape } from '../alerter-rules-shape.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { printShapeHelp } from '../flags/shape-help.js';
import { suggest } from '../flags/parse-flags.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';
import { SUMMARIES } from './summaries.js';

/** Where the alerts are: NATS when named (no default server: without one, `cctap up`'s data directory). */
export const placeShape = {
  ...natsConfigShape,
  nats: z.string().optional().meta({
    arg: 'URL[,URL...]',
    list: true,
    description: "the alerter's NATS KV buckets (env NATS_URL); without it the cctap up on --data",
  }),
  data: z
    .string()
    .optional()
    .meta({ arg: 'DIR', description: 'the data directory cctap up runs on (default ~/.cctap/data)' }),
  config: baseConfigShape.config,
};

export const listSpec = {
  name: 'alerts list',
  summary: 'alerts (with their deliveries) and active silences',
  usage: 'usage: cctap alerts list [--json]',
  shape: { ...placeShape, json: z.boolean().default(false).meta({ description: 'print alerts and silences as JSON' }) },
} satisfies CommandSpec;

export const silenceSpec = {
  name: 'alerts silence',
  summary: 'mute matching alerts for a while',
  usage: 'usage: cctap alerts silence --match rule=X,host=Y --for 2h [--comment TEXT]',
  shape: {
    ...placeShape,
    match: z.string().meta({
      arg: 'LABEL=VALUE,...',
      description: 'alerts to mute: label=value pairs (/re/ for a regex); required',
    }),
    for: z.string().default('2h').meta({ arg: 'DURATION', description: 'how long, e.g. 30m, 2h, 1d' }),
    comment: z.string().default('').meta({ arg: 'TEXT', description: 'why' }),
    author: z.string().optional().meta({ arg: 'NAME', description: 'who (default the OS user)' }),
  },
} satisfies CommandSpec;

export const unsilenceSpec = {
  name: 'alerts unsilence',
  summary: 'end a silence now',
  usage: 'usage: cctap alerts unsilence --id ID',
  shape: {
    ...placeShape,
    id: z.string().meta({ arg: 'ID', description: 'the silence to end (alerts list shows it); required' }),
  },
} satisfies CommandSpec;

export const testSpec = {
  name: 'alerts test',
  summary: 'send a test notification',
  usage: 'usage: cctap alerts test --receiver NAME [--rules FILE | --webhook-url URL | --slack-webhook-url URL]',
  shape: {
    ...placeShape,
    ...alerterRulesShape,
    receiver: z.string().meta({ arg: 'NAME', description: 'the receiver to notify; required' }),
  },
} satisfies CommandSpec;

const SUBCOMMANDS = [listSpec, silenceSpec, unsilenceSpec, testSpec] as const;
/** The actions, for "did you mean". */
const ACTIONS = SUBCOMMANDS.map((s) => s.name.slice('alerts '.length));

export const spec = {
  name: 'alerts',
  summary: SUMMARIES.alerts,
  usage: `usage:
${SUBCOMMANDS.map((s) => `  ${s.usage.slice('usage: '.length)}`).join('\n')}
Reads NATS KV when NATS_URL (--nats) is set, else the cctap up running on --data DIR (default ~/.cctap/data),
else the alert files in that directory.`,
  subcommands: SUBCOMMANDS,
} satisfies CommandSpec;

export const command: Command = {
  spec,
  run: ([action, ...argv]) =>
    runCommand('alerts', async () => {
      // An action's work (alerts-run.ts: the alerter, the kit's NATS client, the YAML reader) is loaded only when
      // its command line does not ask for the help.
      const sub = SUBCOMMANDS.find((s) => s.name === `alerts ${action}`);
      if (action !== undefined && sub !== undefined)
        return printShapeHelp(sub, argv) ?? (await import('./alerts-run.js')).runAlertsAction(action, argv);
      if (action === '--help' || action === '-h' || action === 'help') {
        console.log(`${spec.usage}\nRun 'cctap alerts <action> --help' for an action's options.`);
        return EXIT.ok;
      }
      if (action === undefined) {
        console.error(spec.usage);
        return EXIT.usage;
      }
      const close = suggest(action, ACTIONS);
      console.error(
        `cctap alerts: unknown action '${action}'${close ? `; did you mean ${close}?` : `; the actions are ${ACTIONS.join(', ')}.`} Run 'cctap alerts --help' for their options.`,
      );
      return EXIT.usage;
    }),
};
