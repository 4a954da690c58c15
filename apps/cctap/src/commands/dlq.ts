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
import { homedir, hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { topology } from '@cctap/events';
import {
  baseConfigShape,
  ConfigError,
  connectNats,
  createJetStreamBus,
  isJetStreamNotFound,
  natsConfigShape,
  natsOptionsFromConfig,
} from '@cctap/kit';
import { summaryOf, type DeadLetter } from '../dlq/dead-letter.js';
import { deadLetterFilePath, readDeadLetterFile } from '../dlq/file-dead-letters.js';
import { NatsDeadLetters } from '../dlq/nats-dead-letters.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { suggest } from '../flags/parse-flags.js';
import { renderTable } from '../render/render-table.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';
import { SUMMARIES } from './summaries.js';

/** Where the dead letters are: NATS when named (no default server: without one, `cctap up`'s data directory). */
const placeShape = {
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

const listSpec = {
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

const showSpec = {
  name: 'dlq show',
  summary: 'one dead letter: its headers and the original payload',
  usage: 'usage: cctap dlq show <id>',
  shape: { ...placeShape, id: idField },
} satisfies CommandSpec;

const replaySpec = {
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

type Place = z.infer<z.ZodObject<typeof placeShape>>;

const dataDirOf = (cfg: Place) => resolve(cfg.data ?? join(homedir(), '.cctap', 'data'));

/** Where a place's dead letters are read from, and replayed to when that is possible. */
interface Source {
  where: string;
  list(limit: number): Promise<DeadLetter[]>;
  get(id: string): Promise<DeadLetter | null>;
  nats: NatsDeadLetters | null;
}

async function withSource<T>(cfg: Place, fn: (s: Source) => Promise<T>): Promise<T> {
  if (!cfg.nats) {
    const dataDir = dataDirOf(cfg);
    if (!existsSync(dataDir))
      throw new ConfigError(
        `no cctap data in ${dataDir} (pass --data DIR as given to cctap up, or NATS_URL for the NATS pipeline)`,
      );
    const all = () => readDeadLetterFile(dataDir);
    return fn({
      where: deadLetterFilePath(dataDir),
      list: async (limit) => all().slice(-limit),
      get: async (id) => all().find((d) => d.id === id) ?? null,
      nats: null,
    });
  }
  const t = topology(cfg.prefix || undefined);
  const nc = await connectNats({
    ...natsOptionsFromConfig({ ...cfg, nats: cfg.nats }, `cctap-dlq@${hostname()}`),
    waitOnFirstConnect: false,
    timeoutMs: 5000,
  });
  try {
    let letters: NatsDeadLetters;
    try {
      letters = await NatsDeadLetters.open(createJetStreamBus(nc, { topology: t }), t);
    } catch (err) {
      if (isJetStreamNotFound(err))
        throw new ConfigError(`no stream ${t.stream('dlq')} on ${cfg.nats}; run cctap provision first`);
      throw err;
    }
    return await fn({
      where: t.stream('dlq'),
      list: (limit) => letters.list(limit),
      get: (id) => (/^\d+$/.test(id) ? letters.get(Number(id)) : Promise.resolve(null)),
      nats: letters,
    });
  } finally {
    await nc.drain();
  }
}

/** `<id>` as the first word after the action, or --id. */
function idArg(argv: readonly string[]): { id: string | undefined; rest: string[] } {
  const [first, ...rest] = argv;
  return first !== undefined && !first.startsWith('-') ? { id: first, rest } : { id: undefined, rest: [...argv] };
}

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function renderList(letters: readonly DeadLetter[]): string {
  return renderTable(
    ['id', 'when', 'stream', 'consumer', 'kind', 'subject', 'size', 'reason'],
    letters.map((d) => [
      d.id,
      d.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      d.stream,
      d.consumer,
      d.kind,
      d.subject || '(gone)',
      d.data.byteLength,
      short(d.reason.replace(/\s+/g, ' '), 60),
    ]),
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The payload as text: pretty JSON when it is JSON, the text when it is UTF-8, else base64. */
function payloadText(data: Uint8Array): { label: string; text: string } {
  if (data.byteLength === 0) return { label: 'empty', text: '' };
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return { label: 'binary, base64', text: Buffer.from(data).toString('base64') };
  }
  try {
    return { label: 'JSON', text: JSON.stringify(JSON.parse(text), null, 2) };
  } catch {
    return { label: 'text', text };
  }
}

function renderShow(d: DeadLetter): string {
  const p = payloadText(d.data);
  const headers = Object.entries(d.headers);
  return [
    `dead letter ${d.id}`,
    `  when        ${d.at}`,
    `  stream      ${d.stream} seq ${d.seq}`,
    `  consumer    ${d.consumer}`,
    `  kind        ${d.kind}`,
    `  subject     ${d.subject || '(the original was gone before it could be kept)'}`,
    `  deliveries  ${d.deliveries}`,
    `  reason      ${d.reason}`,
    headers.length === 0 ? 'headers: none' : 'headers:',
    ...headers.map(([k, v]) => `  ${k}: ${v}`),
    `payload (${d.data.byteLength} bytes, ${p.label}):`,
    p.text,
  ].join('\n');
}

export const command: Command = {
  spec,
  run: ([action, ...argv]) =>
    runCommand('dlq', async () => {
      if (action === 'list') {
        const cfg = loadCommandConfig(listSpec, argv);
        return withSource(cfg, async (src) => {
          const letters = (await src.list(cfg.limit)).filter((d) => !cfg.consumer || d.consumer === cfg.consumer);
          if (cfg.json) console.log(JSON.stringify(letters.map(summaryOf), null, 2));
          else console.log(letters.length === 0 ? `no dead letters in ${src.where}` : renderList(letters));
          return EXIT.ok;
        });
      }
      if (action === 'show') {
        const { id: word, rest } = idArg(argv);
        const cfg = loadCommandConfig(showSpec, rest);
        const id = word ?? cfg.id;
        if (id === undefined) {
          console.error("cctap dlq: which dead letter? cctap dlq show <id> ('cctap dlq list' shows the ids)");
          return EXIT.usage;
        }
        return withSource(cfg, async (src) => {
          const d = await src.get(id);
          if (!d) {
            console.error(`cctap dlq: no dead letter ${id} in ${src.where}`);
            return EXIT.failure;
          }
          console.log(renderShow(d));
          return EXIT.ok;
        });
      }
      if (action === 'replay') {
        const { id: word, rest } = idArg(argv);
        const cfg = loadCommandConfig(replaySpec, rest);
        const id = word ?? cfg.id;
        if ((id === undefined) === !cfg.all) {
          console.error('cctap dlq: replay what? cctap dlq replay <id>, or --all [--consumer NAME]');
          return EXIT.usage;
        }
        return withSource(cfg, async (src) => {
          if (!src.nats)
            throw new ConfigError(
              `replay needs the NATS pipeline (--nats URL); cctap up keeps its dead letters in ${src.where}, where list and show read them`,
            );
          let chosen: DeadLetter[];
          if (id !== undefined) {
            const d = await src.get(id);
            if (!d) {
              console.error(`cctap dlq: no dead letter ${id} in ${src.where} (replayed already, or never there)`);
              return EXIT.failure;
            }
            chosen = [d];
          } else
            chosen = (await src.list(Number.MAX_SAFE_INTEGER)).filter(
              (d) => !cfg.consumer || d.consumer === cfg.consumer,
            );
          let failed = 0;
          for (const d of chosen) {
            if (d.subject === '') {
              failed += 1;
              console.error(`cctap dlq: dead letter ${d.id} has no original to replay (it expired first); skipped`);
              continue;
            }
            const r = await src.nats.replay(d);
            console.log(
              `replayed dead letter ${d.id} to ${d.subject}${r.duplicate ? ' (dropped: replayed before)' : ` (${r.stream} seq ${r.seq})`}`,
            );
          }
          if (chosen.length === 0) console.log(`no dead letters in ${src.where}`);
          return failed > 0 ? EXIT.failure : EXIT.ok;
        });
      }
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
