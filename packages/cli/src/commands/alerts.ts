/**
 * `cctap alerts <action>`: look at and steer the alerter.
 *
 *   cctap alerts list [--json]                                      alerts in the KV bucket, and active silences
 *   cctap alerts silence --match rule=X,host=Y --for 2h --comment …  mute matching alerts (label=value; /re/ for a regex)
 *   cctap alerts unsilence --id ID                                  end a silence now
 *   cctap alerts test --receiver NAME --rules FILE                  send a test notification (no NATS needed)
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { z } from 'zod';
import { topology } from '@cctap/events';
import { ConfigError, connectNats, loadConfig, natsConfigShape, natsOptionsFromConfig } from '@cctap/kit';
import {
  loadRuleFile,
  MissingBucketError,
  openKvStores,
  parseDuration,
  parseMatchers,
  receiverFromConfig,
  RulesConfigError,
  sendTestNotification,
  type Silence,
} from '@cctap/alerter';
import type { Command } from './registry.js';
import { runCommand } from './run-command.js';

const USAGE = `usage:
  cctap alerts list [--json]
  cctap alerts silence --match rule=X,host=Y --for 2h [--comment TEXT]
  cctap alerts unsilence --id ID
  cctap alerts test --receiver NAME --rules FILE`;

type Stores = Awaited<ReturnType<typeof openKvStores>>;

async function withKv<T>(cfg: z.infer<z.ZodObject<typeof natsConfigShape>>, fn: (stores: Stores) => Promise<T>): Promise<T> {
  const t = topology(cfg.prefix || undefined);
  const nc = await connectNats({ ...natsOptionsFromConfig(cfg, `cctap-alerts@${hostname()}`), waitOnFirstConnect: false, timeoutMs: 5000 });
  try {
    let stores: Stores;
    try {
      stores = await openKvStores(nc, t);
    } catch (err) {
      if (err instanceof MissingBucketError) throw new ConfigError(err.message);
      throw err;
    }
    return await fn(stores);
  } finally {
    await nc.drain();
  }
}

const ago = (ms: number) => {
  const s = Math.round((Date.now() - ms) / 1000);
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};

export const command: Command = {
  summary: 'list alerts, silence them, send a test notification',
  run: ([action, ...argv]) =>
    runCommand('alerts', async () => {
      if (action === 'list') {
        const cfg = loadConfig({ shape: { ...natsConfigShape, config: z.string().optional(), json: z.boolean().default(false) }, argv });
        return withKv(cfg, async ({ alerts, silences }) => {
          const recs = (await alerts.load()).sort((a, b) => b.startsAt - a.startsAt);
          const now = Date.now();
          const sil = (await silences.list()).filter((s) => s.endsAt > now);
          if (cfg.json) {
            console.log(JSON.stringify({ alerts: recs, silences: sil }, null, 2));
            return 0;
          }
          console.log(recs.length === 0 ? 'no alerts' : `${recs.length} alert(s):`);
          for (const r of recs) {
            const deliveries = Object.entries(r.deliveries).map(([n, d]) => `${n}:${d.state}${d.error ? `(${d.error})` : ''}`).join(' ') || 'not notified yet';
            console.log(`  ${r.status.padEnd(8)} ${r.severity.padEnd(8)} ${r.rule.padEnd(20)} ${Object.entries(r.labels).filter(([k]) => k !== 'rule' && k !== 'severity').map(([k, v]) => `${k}=${v}`).join(',')}  x${r.occurrences} since ${ago(r.startsAt)}  ${deliveries}`);
          }
          console.log(sil.length === 0 ? 'no active silences' : `${sil.length} active silence(s):`);
          for (const s of sil) console.log(`  ${s.id}  ${s.matchers.map((m) => `${m.name}=${m.value}`).join(',')}  until ${new Date(s.endsAt).toISOString()}  by ${s.createdBy}: ${s.comment}`);
          return 0;
        });
      }
      if (action === 'silence') {
        const cfg = loadConfig({ shape: { ...natsConfigShape, config: z.string().optional(), match: z.string(), for: z.string().default('2h'), comment: z.string().default(''), author: z.string().optional() }, argv });
        const ms = parseDuration(cfg.for);
        if (ms === null || ms <= 0) throw new ConfigError(`--for: not a duration: ${cfg.for} (use e.g. 30m, 2h, 1d)`);
        let matchers;
        try {
          matchers = parseMatchers(cfg.match);
        } catch (err) {
          throw new ConfigError(`--match: ${(err as Error).message}`);
        }
        const now = Date.now();
        const silence: Silence = { id: `s-${randomUUID().slice(0, 8)}`, matchers, startsAt: now, endsAt: now + ms, createdBy: cfg.author ?? userInfo().username, comment: cfg.comment };
        return withKv(cfg, async ({ silences }) => {
          await silences.put(silence);
          console.log(`silence ${silence.id} until ${new Date(silence.endsAt).toISOString()}`);
          return 0;
        });
      }
      if (action === 'unsilence') {
        const cfg = loadConfig({ shape: { ...natsConfigShape, config: z.string().optional(), id: z.string() }, argv });
        return withKv(cfg, async ({ silences }) => {
          const s = (await silences.list()).find((x) => x.id === cfg.id);
          if (!s) {
            console.error(`cctap alerts: no silence ${cfg.id}`);
            return 1;
          }
          await silences.put({ ...s, endsAt: Math.min(s.endsAt, Date.now()) });
          console.log(`silence ${s.id} ended`);
          return 0;
        });
      }
      if (action === 'test') {
        const cfg = loadConfig({ shape: { receiver: z.string(), rules: z.string() }, argv });
        let rs;
        try {
          rs = await loadRuleFile(cfg.rules);
        } catch (err) {
          if (err instanceof RulesConfigError) throw new ConfigError(err.message);
          throw new ConfigError(`--rules: ${(err as Error).message}`);
        }
        const rc = rs.receivers.find((r) => r.name === cfg.receiver);
        if (!rc) throw new ConfigError(`--receiver: no receiver named '${cfg.receiver}' in ${cfg.rules} (have: ${rs.receivers.map((r) => r.name).join(', ') || 'none'})`);
        const outcome = await sendTestNotification(receiverFromConfig(rc));
        if (outcome.kind === 'delivered') {
          console.log(`test notification delivered to ${rc.name} (HTTP ${outcome.status})`);
          return 0;
        }
        console.error(`cctap alerts: test notification to ${rc.name} failed: ${outcome.error}`);
        return 1;
      }
      console.error(action ? `cctap alerts: unknown action '${action}'\n${USAGE}` : USAGE);
      return 2;
    }),
};
