/**
 * `cctap provision` on servers with little JetStream storage: the default stream sizes add up to 92 GiB, and a
 * plain `nats-server -js` (75% of free disk) or one with a small `max_file_store` refused a stream half way
 * ("insufficient storage resources available"), leaving the ones before it behind. Now the streams are fitted
 * to what the server can reserve, each reported with its size; a server too small is refused before anything
 * is created; a refusal later on removes what the run created. Real nats-servers, the built `cctap`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAM_KEYS, topology } from '@cctap/events';
import { ConfigError, connectNats, provision } from '@cctap/kit';
import { startNats, type TestNats } from '../support/nats.js';
import { cli } from '../e2e/support/run-cctap.js';

const MiB = 1024 ** 2;
const confDir = mkdtempSync(join(tmpdir(), 'cctap-fit-'));
const servers: TestNats[] = [];
const connections: NatsConnection[] = [];

/** A nats-server whose JetStream may store `maxFileStore` bytes (a config file next to `-js -sd`). */
async function serverWith(maxFileStore: string): Promise<{ url: string; jsm: JetStreamManager; nc: NatsConnection }> {
  const conf = join(confDir, `${maxFileStore}.conf`);
  writeFileSync(conf, `jetstream {\n  max_file_store: ${maxFileStore}\n  max_memory_store: 16MB\n}\n`);
  const nats = await startNats({ requireControl: true, extraArgs: ['-c', conf] });
  servers.push(nats);
  const nc = await connectNats({ servers: nats.url, name: 'provision-fit-test', waitOnFirstConnect: false });
  connections.push(nc);
  return { url: nats.url, nc, jsm: await jetstreamManager(nc) };
}

async function streamNames(jsm: JetStreamManager): Promise<string[]> {
  const out: string[] = [];
  for await (const s of jsm.streams.list()) out.push(s.config.name);
  return out.sort();
}

let small: Awaited<ReturnType<typeof serverWith>>;
let tiny: Awaited<ReturnType<typeof serverWith>>;

beforeAll(async () => {
  [small, tiny] = await Promise.all([serverWith('64MB'), serverWith('8MB')]);
});
afterAll(async () => {
  for (const nc of connections) await nc.close();
  for (const s of servers) await s.dispose();
  rmSync(confDir, { recursive: true, force: true });
});

describe('provision fits the server it finds', () => {
  it('fits the streams into a 64 MB max_file_store, one line per stream with its size, and a second run changes nothing', async () => {
    const first = await cli(['provision', '--nats', small.url], {}, 30_000);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/the stream sizes asked for do not fit: JetStream could reserve 64\.0 MiB more/);
    const t = topology();
    let reserved = 0;
    for (const k of STREAM_KEYS) {
      const info = await small.jsm.streams.info(t.stream(k));
      reserved += info.config.max_bytes;
      expect(info.config.max_bytes).toBeGreaterThanOrEqual(4 * MiB);
      const shown = `${(info.config.max_bytes / MiB).toFixed(1)} MiB`;
      expect(first.stdout).toMatch(new RegExp(`stream +${t.stream(k)} +created +max ${shown.replace('.', '\\.')}\\n`));
    }
    expect(reserved).toBeLessThanOrEqual(64 * MiB * 0.9);
    // The raw stream has the largest share after events.
    const raw = (await small.jsm.streams.info(t.stream('raw'))).config.max_bytes;
    expect(raw).toBeGreaterThan((await small.jsm.streams.info(t.stream('alerts'))).config.max_bytes);

    const second = await cli(['provision', '--nats', small.url], {}, 30_000);
    expect(second.code, second.stderr).toBe(0);
    // Everything the first run created (streams, consumers, buckets) is there unchanged.
    const created = /\n(\d+) created, 0 updated, 0 unchanged\n/.exec(first.stdout)?.[1];
    expect(Number(created)).toBeGreaterThanOrEqual(STREAM_KEYS.length);
    expect(second.stdout).toMatch(new RegExp(`\\n0 created, 0 updated, ${created} unchanged\\n`));
    for (const k of STREAM_KEYS) expect(second.stdout).toMatch(new RegExp(`stream +${t.stream(k)} +unchanged +max `));
  });

  it('refuses an 8 MB max_file_store in one line before creating anything', async () => {
    const r = await cli(['provision', '--nats', tiny.url], {}, 30_000);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^cctap provision: JetStream can reserve only 7\.\d MiB more on this server, too little for 7 new streams .*raise max_file_store/,
    );
    expect(await streamNames(tiny.jsm)).toEqual([]);
  });

  it('removes what it created when the server refuses a later stream', async () => {
    const prefix = `f${randomBytes(3).toString('hex')}`;
    const t = topology(prefix);
    // Someone else's stream already takes the alerts subjects: the fifth stream is refused.
    await tiny.jsm.streams.add({ name: 'OTHER', subjects: [`${t.root}.alerts.>`], max_bytes: MiB });
    const err = await provision(tiny.nc, { prefix, maxBytes: 128 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^nats-server refused stream ${t.stream('alerts')}: .*overlap.*; what this run had created was removed$`,
      ),
    );
    expect(await streamNames(tiny.jsm)).toEqual(['OTHER']);
  });

  it('two provisioners meeting on one server (a provision job and services starting) both end with the whole topology', async () => {
    const roomy = await serverWith('256MB');
    const prefix = `c${randomBytes(3).toString('hex')}`;
    const runs = await Promise.all([1, 2, 3].map(() => provision(roomy.nc, { prefix })));
    for (const r of runs) expect(r.entries.filter((e) => e.kind === 'stream')).toHaveLength(STREAM_KEYS.length);
    const t = topology(prefix);
    const names = await streamNames(roomy.jsm);
    for (const key of STREAM_KEYS) expect(names).toContain(t.stream(key));
  });
});
