/**
 * A real Prometheus (Debian's `prometheus`, installed by .ci/run) scrapes a running cctap pipeline: the
 * shipped deploy/prometheus/prometheus.yml with its rule files, its targets pointed at `cctap up` on this
 * machine. Proves the metrics endpoint is scrapeable, the key series of every stage exist with real values,
 * and the shipped alerting rules load in a real server (not only in promtool).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { freePort } from '../support/free-port.js';
import { REAL_FIXTURES_DIR, REPO_ROOT } from '../support/paths.js';
import { requireTool } from '../support/tools.js';
import { waitFor } from '../support/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'cctap-prom-'));
const children: ChildProcess[] = [];
let promUrl = '';

async function query(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as {
    status: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return body.status === 'success' ? body.data.result : [];
}

describe('a real Prometheus scraping cctap', () => {
  beforeAll(async () => {
    const prometheusBin = requireTool(
      'prometheus',
      "install Debian's prometheus package (apt-get install -y prometheus; .ci/run does)",
    ).path;
    // A small Claude config tree from real transcripts, for `cctap up` to ingest while it is scraped.
    const project = join(dir, 'claude', 'projects', '-work-demo');
    mkdirSync(project, { recursive: true });
    for (const f of ['spotter-v2.1.38-tool-heavy-interrupt.jsonl', 'fasthooks-v2.0.76-compaction-tool-errors.jsonl'])
      copyFileSync(join(REAL_FIXTURES_DIR, f), join(project, f));
    const upPort = await freePort();
    const up = spawn(
      process.execPath,
      [
        'apps/cctap/dist/main.js',
        'up',
        '--root',
        join(dir, 'claude'),
        '--data',
        join(dir, 'data'),
        '--metrics-port',
        String(upPort),
        '--quiet',
      ],
      { cwd: REPO_ROOT, stdio: 'ignore' },
    );
    children.push(up);

    const shipped = parse(readFileSync(join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const config = {
      ...shipped,
      global: { ...(shipped.global as object), scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(REPO_ROOT, 'deploy/prometheus/rules/*.yml')],
      scrape_configs: [
        { job_name: 'cctap', static_configs: [{ targets: [`127.0.0.1:${upPort}`], labels: { service: 'up' } }] },
      ],
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    const prom = spawn(
      prometheusBin,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    children.push(prom);
    await waitFor('prometheus ready', async () => (await fetch(`${promUrl}/-/ready`)).ok, 30_000, 200);
  });

  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the target and finds every stage working', async () => {
    await waitFor(
      'target up',
      async () => (await query('up{job="cctap"}')).some((r) => r.value[1] === '1'),
      30_000,
      500,
    );
    const positive = [
      'cctap_collector_read_bytes_total',
      'cctap_collector_events_published_total',
      'sum(cctap_validator_events_total{result="valid"})',
      'sum(cctap_messages_total{outcome="ack"})',
      'sum(cctap_analyzer_sessions_started_total)',
      'sum(cctap_sink_rows_total)',
      'process_resident_memory_bytes',
    ];
    for (const q of positive) {
      const r = await waitFor(
        `${q} > 0`,
        async () => {
          const res = await query(q);
          return res.length > 0 && Number(res[0]!.value[1]) > 0 ? res : undefined;
        },
        30_000,
        500,
      );
      expect(Number(r[0]!.value[1])).toBeGreaterThan(0);
    }
  });

  it('loads the shipped alerting rules, all healthy', async () => {
    const r = await waitFor(
      'rules evaluated',
      async () => {
        const body = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
          data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> };
        };
        const rules = body.data.groups.flatMap((g) => g.rules);
        return rules.length > 0 && rules.every((x) => x.health === 'ok') ? rules : undefined;
      },
      30_000,
      500,
    );
    expect(r.length).toBeGreaterThan(5);
  });
});
