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
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { topology } from '@cctap/events';
import { baseConfigShape, ConfigError, connectNats, natsConfigShape, natsOptionsFromConfig } from '@cctap/kit';
import {
  loadRuleFile,
  MissingBucketError,
  openFileStores,
  openKvStores,
  parseDuration,
  parseMatchers,
  receiverFromConfig,
  RulesConfigError,
  sendTestNotification,
  type SendOutcome,
  type Silence,
} from '@cctap/alerter';
import { alerterRulesFrom } from '../alerter-rules.js';
import { alerterRulesShape } from '../alerter-rules-shape.js';
import { alertFilesDir, runningUpAccess, storeAccess, type AlertAccess } from '../alerts/alert-access.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { suggest } from '../flags/parse-flags.js';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';
import { SUMMARIES } from './summaries.js';

/** Where the alerts are: NATS when named (no default server: without one, `cctap up`'s data directory). */
const placeShape = {
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

const listSpec = {
  name: 'alerts list',
  summary: 'alerts (with their deliveries) and active silences',
  usage: 'usage: cctap alerts list [--json]',
  shape: { ...placeShape, json: z.boolean().default(false).meta({ description: 'print alerts and silences as JSON' }) },
} satisfies CommandSpec;

const silenceSpec = {
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

const unsilenceSpec = {
  name: 'alerts unsilence',
  summary: 'end a silence now',
  usage: 'usage: cctap alerts unsilence --id ID',
  shape: {
    ...placeShape,
    id: z.string().meta({ arg: 'ID', description: 'the silence to end (alerts list shows it); required' }),
  },
} satisfies CommandSpec;

const testSpec = {
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

type Place = z.infer<z.ZodObject<typeof placeShape>>;

const dataDirOf = (cfg: Place) => resolve(cfg.data ?? join(homedir(), '.cctap', 'data'));

async function withKv<T>(cfg: Place & { nats: string }, fn: (access: AlertAccess) => Promise<T>): Promise<T> {
  const t = topology(cfg.prefix || undefined);
  const nc = await connectNats({
    ...natsOptionsFromConfig(cfg, `cctap-alerts@${hostname()}`),
    waitOnFirstConnect: false,
    timeoutMs: 5000,
  });
  try {
    let stores: Awaited<ReturnType<typeof openKvStores>>;
    try {
      stores = await openKvStores(nc, t);
    } catch (err) {
      if (err instanceof MissingBucketError) throw new ConfigError(err.message);
      throw err;
    }
    return await fn(storeAccess(stores));
  } finally {
    await nc.drain();
  }
}

async function withAccess<T>(cfg: Place, fn: (access: AlertAccess) => Promise<T>): Promise<T> {
  if (cfg.nats) return withKv({ ...cfg, nats: cfg.nats }, fn);
  const dataDir = dataDirOf(cfg);
  const up = await runningUpAccess(dataDir);
  if (up) return fn(up);
  if (!existsSync(dataDir))
    throw new ConfigError(
      `no cctap data in ${dataDir} (pass --data DIR as given to cctap up, or NATS_URL for the alerter service)`,
    );
  const files = openFileStores(alertFilesDir(dataDir));
  try {
    return await fn(storeAccess(files));
  } finally {
    await Promise.all([files.alerts.close(), files.silences.close()]);
  }
}

function reportTest(name: string, outcome: SendOutcome): number {
  if (outcome.kind === 'delivered') {
    console.log(`test notification delivered to ${name} (HTTP ${outcome.status})`);
    return EXIT.ok;
  }
  console.error(`cctap alerts: test notification to ${name} failed: ${outcome.error}`);
  return EXIT.failure;
}

/** The rule set of --rules, or of the receiver flags; a bad file is a ConfigError (one line). */
async function loadRules(cfg: Parameters<typeof alerterRulesFrom>[0]) {
  const rules = alerterRulesFrom(cfg);
  if (!('file' in rules)) return rules;
  try {
    return await loadRuleFile(rules.file, rules.env);
  } catch (err) {
    if (err instanceof RulesConfigError) throw new ConfigError(err.message);
    throw new ConfigError(`--rules: ${(err as Error).message}`);
  }
}

const ago = (ms: number) => {
  const s = Math.round((Date.now() - ms) / 1000);
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};

export const command: Command = {
  spec,
  run: ([action, ...argv]) =>
    runCommand('alerts', async () => {
      if (action === 'list') {
        const cfg = loadCommandConfig(listSpec, argv);
        return withAccess(cfg, async (access) => {
          const recs = (await access.alerts()).sort((a, b) => b.startsAt - a.startsAt);
          const now = Date.now();
          const sil = (await access.silences()).filter((s) => s.endsAt > now);
          if (cfg.json) {
            console.log(JSON.stringify({ alerts: recs, silences: sil }, null, 2));
            return EXIT.ok;
          }
          console.log(recs.length === 0 ? 'no alerts' : `${recs.length} alert(s):`);
          for (const r of recs) {
            const deliveries =
              Object.entries(r.deliveries)
                .map(([n, d]) => `${n}:${d.state}${d.error ? `(${d.error})` : ''}`)
                .join(' ') || 'not notified yet';
            console.log(
              `  ${r.status.padEnd(8)} ${r.severity.padEnd(8)} ${r.rule.padEnd(20)} ${Object.entries(r.labels)
                .filter(([k]) => k !== 'rule' && k !== 'severity')
                .map(([k, v]) => `${k}=${v}`)
                .join(',')}  x${r.occurrences} since ${ago(r.startsAt)}  ${deliveries}`,
            );
          }
          console.log(sil.length === 0 ? 'no active silences' : `${sil.length} active silence(s):`);
          for (const s of sil)
            console.log(
              `  ${s.id}  ${s.matchers.map((m) => `${m.name}=${m.value}`).join(',')}  until ${new Date(s.endsAt).toISOString()}  by ${s.createdBy}: ${s.comment}`,
            );
          return EXIT.ok;
        });
      }
      if (action === 'silence') {
        const cfg = loadCommandConfig(silenceSpec, argv);
        const ms = parseDuration(cfg.for);
        if (ms === null || ms <= 0) throw new ConfigError(`--for: not a duration: ${cfg.for} (use e.g. 30m, 2h, 1d)`);
        let matchers;
        try {
          matchers = parseMatchers(cfg.match);
        } catch (err) {
          throw new ConfigError(`--match: ${(err as Error).message}`);
        }
        const now = Date.now();
        const silence: Silence = {
          id: `s-${randomUUID().slice(0, 8)}`,
          matchers,
          startsAt: now,
          endsAt: now + ms,
          createdBy: cfg.author ?? userInfo().username,
          comment: cfg.comment,
        };
        return withAccess(cfg, async (access) => {
          await access.putSilence(silence);
          console.log(`silence ${silence.id} until ${new Date(silence.endsAt).toISOString()}`);
          return EXIT.ok;
        });
      }
      if (action === 'unsilence') {
        const cfg = loadCommandConfig(unsilenceSpec, argv);
        return withAccess(cfg, async (access) => {
          const s = (await access.silences()).find((x) => x.id === cfg.id);
          if (!s) {
            console.error(`cctap alerts: no silence ${cfg.id}`);
            return EXIT.failure;
          }
          await access.putSilence({ ...s, endsAt: Math.min(s.endsAt, Date.now()) });
          console.log(`silence ${s.id} ended`);
          return EXIT.ok;
        });
      }
      if (action === 'test') {
        const cfg = loadCommandConfig(testSpec, argv);
        if (cfg.rules || cfg.webhookUrl || cfg.slackWebhookUrl) {
          const rs = await loadRules(cfg);
          const rc = rs.receivers.find((r) => r.name === cfg.receiver);
          if (!rc)
            throw new ConfigError(
              `--receiver: no receiver named '${cfg.receiver}' in ${cfg.rules ?? 'the --webhook-url / --slack-webhook-url flags'} (have: ${rs.receivers.map((r) => r.name).join(', ') || 'none'})`,
            );
          return reportTest(rc.name, await sendTestNotification(receiverFromConfig(rc)));
        }
        // The alerter service's receivers live in its own --rules; a `cctap up` is asked for its own.
        if (cfg.nats)
          throw new ConfigError(
            `--rules FILE (or --webhook-url URL / --slack-webhook-url URL) is needed: the alerter service's receivers are in its --rules; pass the same file`,
          );
        const up = await runningUpAccess(dataDirOf(cfg));
        const outcome = await up?.test(cfg.receiver);
        if (!outcome)
          throw new ConfigError(
            `--rules FILE (or --webhook-url URL / --slack-webhook-url URL, or CCTAP_RULES / CCTAP_WEBHOOK_URL) is needed: no cctap up runs on ${dataDirOf(cfg)} to test its receivers`,
          );
        if (outcome.kind === 'unknown-receiver')
          throw new ConfigError(
            `--receiver: the running cctap up has no receiver named '${cfg.receiver}' (have: ${outcome.known.join(', ') || 'none'})`,
          );
        return reportTest(cfg.receiver, outcome);
      }
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
