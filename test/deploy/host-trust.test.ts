/**
 * One host's credential cannot charge another host's users or replace its usage, on a real nats-server with
 * the per-host credentials `cctap nats-config` generates, `cctap validator --users-per-host FILE` and
 * `cctap sink` as their own processes, and the numbers read back with `cctap sql` and `cctap report`.
 *
 * Host beta knows the message and request ids of a response of host alpha (user alice) and publishes, on its
 * own subject: the response with a far bigger total claiming alice (rejected, user_not_allowed), the same
 * under its own user bob (stored, but apart from alpha's row), and a response beyond any context window
 * (rejected, implausible_usage). Alpha's numbers do not move.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { topology, type ConsumerKey } from '@cctap/events';
import { sampleEvent } from '@cctap/events/testing';
import { provision } from '@cctap/kit';
import { cliProcess, type CliProcess } from '../e2e/support/cli-process.js';
import { consumerState, isIdle } from '../e2e/support/pipeline-state.js';
import { cli, sqlJson } from '../e2e/support/run-cctap.js';
import { waitFor } from '../support/wait-for.js';
import { startConfiguredNats, type ConfiguredNats } from './support/nats-with-config.js';

interface Cred {
  user: string;
  password: string;
}

const t = topology();
const ts = new Date(Date.now() - 3600_000).toISOString();
const day = ts.slice(0, 10);
const batchOf = (host: string, events: unknown[]) =>
  new TextEncoder().encode(
    JSON.stringify({ v: 1, host, source: { path: '/s.jsonl', fileId: `f-${host}`, from: 0, to: 1000 }, events }),
  );
const response = (
  host: string,
  user: string,
  offset: number,
  messageId: string,
  tokens: { input: number; output: number },
) =>
  sampleEvent(
    'assistant',
    {
      messageId,
      requestId: `req-${messageId}`,
      model: 'claude-opus-4-5',
      cost: undefined,
      usage: {
        input: tokens.input,
        output: tokens.output,
        cacheCreation: 0,
        cacheRead: 0,
        cacheCreation5m: 0,
        cacheCreation1h: 0,
        webSearchRequests: 0,
        webFetchRequests: 0,
      },
    },
    { host, user, offset, file: `f-${host}`, ts, sessionId: `s-${host}`, lineUuid: `line-${host}-${offset}` },
  );

describe('a host credential speaks only for its own users and rows', () => {
  const work = mkdtempSync(join(tmpdir(), 'cctap-host-trust-'));
  const auth = join(work, 'auth');
  const data = join(work, 'store');
  let nats: ConfiguredNats;
  let validator: CliProcess;
  let sink: CliProcess;
  const open: NatsConnection[] = [];
  const cred = (user: string): Cred => {
    const all = (JSON.parse(readFileSync(join(auth, 'credentials.json'), 'utf8')) as { credentials: Cred[] })
      .credentials;
    return all.find((c) => c.user === user)!;
  };
  const as = async (user: string, inboxPrefix?: string) => {
    const nc = await connect({
      servers: nats.url,
      user,
      pass: cred(user).password,
      ...(inboxPrefix ? { inboxPrefix } : {}),
    });
    open.push(nc);
    return nc;
  };
  const service = (name: string, args: string[]) =>
    cliProcess({
      name,
      command: name,
      logDir: work,
      args: ['--nats', nats.url, '--metrics-port', '0', '--metrics-host', '127.0.0.1', ...args],
      env: { CCTAP_NATS_USER: `svc-${name}`, CCTAP_NATS_PASSWORD: cred(`svc-${name}`).password },
    });
  /** Publishes as a host, waits until the validator and the sink consumed everything, then stops the sink to read the store. */
  const deliver = async (host: string, events: unknown[]) => {
    await sink.start(60_000);
    const nc = await as(`host-${host}`, `_INBOX_${host}`);
    await jetstream(nc).publish(t.subjects.raw(host), batchOf(host, events), {
      msgID: `${host}-${events.length}-${Date.now()}`,
    });
    const jsm = await jetstreamManager(await as('svc-provision'));
    for (const key of ['validator', 'sink-events', 'sink-invalid'] as ConsumerKey[]) {
      await waitFor(`${key} idle`, async () => isIdle(await consumerState(jsm, t, key)), 30_000, 100);
    }
    expect(await sink.stop()).toBe(0);
  };
  const perHostUser = () =>
    sqlJson<{ host: string; user: string; responses: number; tokens: number }>(
      data,
      'SELECT host, user, count() AS responses, sum(total_tokens) AS tokens FROM usage_responses GROUP BY host, user ORDER BY host, user',
    );

  beforeAll(async () => {
    const { COMMANDS } = await import('@cctap/cli');
    const { command } = await COMMANDS['nats-config']!();
    expect(await command.run(['--hosts', 'alpha,beta', '--out', auth, '--bcrypt-cost', '4'])).toBe(0);
    nats = await startConfiguredNats(auth);
    await provision(await as('svc-provision'), { prefix: '', replicas: 1 });
    const users = join(work, 'users-per-host.json');
    writeFileSync(users, JSON.stringify({ alpha: ['alice'], beta: ['bob'] }));
    validator = service('validator', ['--users-per-host', users]);
    sink = service('sink', ['--data', data, '--flush-interval-ms', '1000']);
    await validator.start(30_000);
  }, 120_000);

  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => undefined);
    await validator?.kill9().catch(() => undefined);
    await sink?.kill9().catch(() => undefined);
    await nats?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it("rejects beta's forged usage for alice and keeps beta's own copy of alpha's response apart", async () => {
    await deliver('alpha', [response('alpha', 'alice', 0, 'msg_A', { input: 1000, output: 200 })]);
    const before = await perHostUser();
    expect(before).toEqual([{ host: 'alpha', user: 'alice', responses: 1, tokens: 1200 }]);

    await deliver('beta', [
      response('beta', 'alice', 0, 'msg_A', { input: 900_000, output: 100_000 }),
      response('beta', 'bob', 100, 'msg_A', { input: 1_500_000, output: 100_000 }),
      response('beta', 'bob', 200, 'msg_X', { input: 50_000_000, output: 10 }),
    ]);
    const after = await perHostUser();
    expect(after).toEqual([...before, { host: 'beta', user: 'bob', responses: 1, tokens: 1_600_000 }]);
    const invalid = await sqlJson<{ host: string; reason: string }>(
      data,
      'SELECT host, reason FROM invalid_events ORDER BY reason',
    );
    expect(invalid).toEqual([
      { host: 'beta', reason: 'implausible_usage' },
      { host: 'beta', reason: 'user_not_allowed' },
    ]);

    // The report a user reads agrees: alpha's day is alice's 1,200 tokens, whatever beta sent.
    const report = await cli([
      'report',
      'daily',
      '--by',
      'host',
      '--json',
      '--since',
      day,
      '--until',
      day,
      '--tz',
      'UTC',
      '--data',
      data,
    ]);
    expect(report.code, report.stderr).toBe(0);
    const rows = (JSON.parse(report.stdout) as { daily: { host?: string; totalTokens: number }[] }).daily;
    expect(rows.filter((r) => r.host === 'alpha').map((r) => r.totalTokens)).toEqual([1200]);
  }, 180_000);

  it('refuses to start on a users-per-host file it cannot use, naming the problem', async () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ alpha: 'alice', beta: [7] }));
    const r = await cli(['validator', '--nats', nats.url, '--users-per-host', bad, '--metrics-port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--users-per-host: .*host 'beta' must map to a list of user names/);
  });
});
