/**
 * JetStream without room: nats-server's /healthz stays ok while the store refuses every publish, so the
 * refusal must show on our side. A real `cctap collect` publishes into a raw stream of 4 MiB that nobody
 * consumes: once it is full, its /readyz is 503 naming the refusal and cctap_jetstream_storage_refused is 1.
 * A validator started then drains the stream, the collector's next publish goes through, and /readyz is 200.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, type CorpusResult } from '../../bench/corpus/index.js';
import { startNats, type TestNats } from '../support/nats.js';
import { cli, startCctap, waitUntil, type Running } from './support/run-cctap.js';

const PREFIX = `full${process.pid}`;
let work: string;
let nats: TestNats;
let corpus: CorpusResult;
const started: Running[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cctap-js-full-'));
  // Several times the raw stream's 4 MiB.
  corpus = generateCorpus({ out: join(work, 'corpus'), size: 7_000_000, seed: 5, hosts: 1, days: 2 });
  nats = await startNats();
});
afterAll(async () => {
  for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await nats?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

function probePort(stderr: string): number | undefined {
  const m = /probe server listening.*?"?port"?[=:](\d+)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

async function readyz(port: number): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: r.status, body: await r.text() };
}

describe('a full JetStream store', () => {
  it('makes the publishing process not ready until a publish succeeds again', async () => {
    const provisioned = await cli(
      ['provision', '--nats', nats.url, '--prefix', PREFIX, '--max-bytes', String(4 * 1024 ** 2)],
      undefined,
      30_000,
    );
    expect(provisioned.code, provisioned.stderr).toBe(0);
    const common = ['--nats', nats.url, '--prefix', PREFIX, '--metrics-port', '0', '--metrics-host', '127.0.0.1'];
    const host = corpus.expected.hosts[0]!;
    const collect = startCctap([
      'collect',
      ...common,
      '--root',
      join(corpus.out, host.root),
      '--state',
      join(work, 'state'),
      '--host',
      host.name,
    ]);
    started.push(collect);

    await waitUntil(
      'the collector refused for lack of storage',
      () => collect.stderr().includes('JetStream has no storage'),
      60_000,
      collect.stderr,
    );
    const port = probePort(collect.stderr())!;
    // A smaller batch may still fit the last bytes of the stream and make it ready for a moment: wait until
    // nothing fits any more, seen by the probe and the metric at once.
    const metric = async () =>
      /^cctap_jetstream_storage_refused\S* (\d)$/m.exec(
        await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
      )?.[1];
    const refused = await waitUntil(
      'the collector not ready, naming the refusal',
      async () => {
        const r = await readyz(port);
        return r.status === 503 && (await metric()) === '1' ? r : undefined;
      },
      60_000,
      collect.stderr,
    );
    expect(refused.body).toContain('storageRefused');
    expect(refused.body).toContain('maximum bytes exceeded');

    // Room again: the validator consumes the raw stream (interest retention frees what it acknowledged).
    const validator = startCctap(['validator', ...common]);
    started.push(validator);
    await waitUntil(
      'the collector ready again',
      async () => ((await readyz(port)).status === 200 && (await metric()) === '0') || undefined,
      60_000,
      collect.stderr,
    );
    expect(collect.stderr()).toContain('JetStream takes publishes again');
  });
});
