/**
 * What the actions of `cctap alerts` do (alerts.ts declares them): list, silence, unsilence and test, on NATS KV,
 * the running `cctap up` or the alert files.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { topology } from '@cctap/events';
import { ConfigError, connectNats, natsOptionsFromConfig } from '@cctap/kit';
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
import { alertFilesDir, runningUpAccess, storeAccess, type AlertAccess } from '../alerts/alert-access.js';
import { EXIT } from '../exit-codes.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { listSpec, silenceSpec, testSpec, unsilenceSpec, type placeShape } from './alerts.js';

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

/** One action's work, once its command line does not ask for the help (alerts.ts answers that without this). */
export async function runAlertsAction(action: string, argv: string[]): Promise<number> {
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
  throw new Error(`unknown action '${action}'`);
}
