/**
 * What the actions of `cctap dlq` do (dlq.ts declares them): list, show and replay the dead letters of the
 * CCTAP_DLQ stream or of the file `cctap up` keeps.
 */
import { homedir, hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { topology } from '@cctap/events';
import { ConfigError, connectNats, createJetStreamBus, isJetStreamNotFound, natsOptionsFromConfig } from '@cctap/kit';
import { summaryOf, type DeadLetter } from '../dlq/dead-letter.js';
import { deadLetterFilePath, readDeadLetterFile } from '../dlq/file-dead-letters.js';
import { NatsDeadLetters } from '../dlq/nats-dead-letters.js';
import { EXIT } from '../exit-codes.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { renderTable } from '../render/render-table.js';
import { idArg, listSpec, replaySpec, showSpec, type placeShape } from './dlq.js';

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

/** One action's work, once its command line does not ask for the help (dlq.ts answers that without this). */
export async function runDlqAction(action: string, argv: string[]): Promise<number> {
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
        chosen = (await src.list(Number.MAX_SAFE_INTEGER)).filter((d) => !cfg.consumer || d.consumer === cfg.consumer);
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
  throw new Error(`unknown action '${action}'`);
}
