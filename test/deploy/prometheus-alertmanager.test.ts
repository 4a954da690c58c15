/**
 * Alerting end to end with real programs: Prometheus (Debian's `prometheus`) runs the shipped
 * deploy/prometheus/prometheus.yml and rules against a validator target that does not answer, and sends its
 * alerts to Alertmanager (Debian's `prometheus-alertmanager`) running the shipped
 * deploy/alertmanager/alertmanager.yml, which delivers them to an HTTP receiver in this test.
 *
 * For speed only: 1 s scrape, evaluation and resend, rules without their `for` (so they fire on the first
 * evaluation instead of after minutes), a 1 s group_wait, and the receiver's URL in place of the placeholder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { freePort } from '../support/free-port.js';
import { requireTool } from '../support/tools.js';
import { waitFor } from '../support/wait-for.js';
import { REPO_ROOT } from './support/repo.js';

/** What Alertmanager's webhook receiver posts (version 4), the fields read here. */
interface Notification {
  version: string;
  status: string;
  receiver: string;
  groupLabels: Record<string, string>;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

const dir = mkdtempSync(join(tmpdir(), 'cctap-alerting-'));
const children: { name: string; child: ChildProcess; log: string[] }[] = [];
const received: Notification[] = [];
let receiver: Server | undefined;
let downPort = 0;

function start(name: string, bin: string, args: string[]): void {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  children.push({ name, child, log });
}

function logs(): string {
  return children.map((c) => `--- ${c.name}\n${c.log.join('').slice(-1500)}`).join('\n');
}

/** The alerts of `alertname` that reached the receiver, firing. */
function firing(alertname: string): Notification['alerts'] {
  return received.flatMap((n) => n.alerts).filter((a) => a.status === 'firing' && a.labels.alertname === alertname);
}

describe('Prometheus alerts reach a webhook through Alertmanager', () => {
  beforeAll(async () => {
    const install = "install Debian's prometheus and prometheus-alertmanager packages (.ci/run does)";
    const prometheusBin = requireTool('prometheus', install).path;
    const alertmanagerBin = requireTool(['prometheus-alertmanager', 'alertmanager'], install).path;

    const receiverPort = await freePort();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/cctap') received.push(JSON.parse(body) as Notification);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver!.listen(receiverPort, '127.0.0.1', r));

    // Alertmanager: the shipped routing, the receiver's URL, no waiting for more of a group.
    const am = parse(readFileSync(join(REPO_ROOT, 'deploy/alertmanager/alertmanager.yml'), 'utf8')) as {
      route: Record<string, unknown>;
      receivers: { name: string; webhook_configs: { url: string }[] }[];
    };
    expect(am.receivers).toHaveLength(1);
    am.route = { ...am.route, group_wait: '1s', group_interval: '1s' };
    am.receivers[0]!.webhook_configs[0]!.url = `http://127.0.0.1:${receiverPort}/cctap`;
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(am));
    const amPort = await freePort();
    start('alertmanager', alertmanagerBin, [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=', // one instance: no gossip port
    ]);

    // The shipped rules, each firing on its first evaluation.
    const rulesDir = join(dir, 'rules');
    mkdirSync(rulesDir);
    const shippedRules = join(REPO_ROOT, 'deploy/prometheus/rules');
    for (const f of readdirSync(shippedRules).filter((x) => x.endsWith('.yml'))) {
      const doc = parse(readFileSync(join(shippedRules, f), 'utf8')) as { groups: { rules: { for?: string }[] }[] };
      for (const g of doc.groups) for (const r of g.rules) delete r.for;
      writeFileSync(join(rulesDir, f), stringify(doc));
    }
    // Prometheus: the shipped config (its alerting section pointed at this Alertmanager), and one validator
    // target on a port nothing listens on. The other services have no target at all.
    const shipped = parse(readFileSync(join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      global: object;
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
      scrape_configs: { job_name: string; static_configs: { targets: string[]; labels?: object }[] }[];
    };
    expect(shipped.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
    const validator = shipped.scrape_configs.find((s) => s.job_name === 'cctap')!.static_configs[0]!;
    expect(validator.targets).toEqual(['validator:9464']);
    downPort = await freePort();
    const config = {
      ...shipped,
      global: { ...shipped.global, scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(rulesDir, '*.yml')],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
      scrape_configs: [
        { job_name: 'cctap', static_configs: [{ targets: [`127.0.0.1:${downPort}`], labels: validator.labels }] },
      ],
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const promPort = await freePort();
    start('prometheus', prometheusBin, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      // Alerts of the first evaluations can go out before the Alertmanager is discovered; resend each second
      // instead of each minute.
      '--rules.alert.resend-delay=1s',
    ]);
  });

  afterAll(async () => {
    for (const { child } of children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
    await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a target that is down: CctapServiceDown arrives at the receiver, with its labels and summary', async () => {
    const [alert] = await waitFor(
      'CctapServiceDown at the receiver',
      () => {
        const a = firing('CctapServiceDown');
        return a.length > 0 && a;
      },
      20_000,
      100,
      logs,
    );
    expect(alert!.labels).toMatchObject({
      cctap_service: 'validator',
      instance: `127.0.0.1:${downPort}`,
      severity: 'critical',
      stack: 'cctap', // prometheus.yml's external label
    });
    expect(alert!.annotations.summary).toBe(`cctap validator is down (127.0.0.1:${downPort})`);
    const n = received.find((x) => x.alerts.some((a) => a.labels.alertname === 'CctapServiceDown'))!;
    expect(n.receiver).toBe('webhook');
    expect(n.groupLabels).toEqual({ alertname: 'CctapServiceDown' });
  });

  it('services with no target at all: CctapServiceMissing names each of them, and not the validator', async () => {
    // Each notification of a group carries all its alerts. Before the validator's first scrape it has no `up`
    // either, so an early one may name it too (and it resolves after that scrape): wait for the current state.
    const latest = () => [...received].reverse().find((n) => n.groupLabels.alertname === 'CctapServiceMissing');
    const services = (n: Notification | undefined) =>
      (n?.alerts ?? [])
        .filter((a) => a.status === 'firing')
        .map((a) => a.labels.cctap_service)
        .sort();
    await waitFor(
      'CctapServiceMissing for exactly alerter, analyzer and sink',
      () => services(latest()).join() === 'alerter,analyzer,sink',
      20_000,
      100,
      () => `${JSON.stringify(received.map((n) => [n.groupLabels, services(n)]))}\n${logs()}`,
    );
    expect(services(latest())).toEqual(['alerter', 'analyzer', 'sink']);
  });
});
