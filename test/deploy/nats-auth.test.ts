/**
 * The generated per-host NATS credentials against a real nats-server started with deploy/nats/nats-server.conf:
 * a host gets a PubAck for its own subject, is refused another host's, and needs nothing beyond its own raw
 * subject and its private reply inbox. Also proves the compose default (no-auth include) parses and works.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { topology } from '@cctap/events';
import { provision } from '@cctap/kit';
import { COMMANDS } from '@cctap/cli';
import { parseCollectArgs } from '@cctap/collector';
import { cli } from '../e2e/support/run-cctap.js';
import { composeFile, interpolate } from './support/compose.js';
import { startConfiguredNats as serverWith, type ConfiguredNats } from './support/nats-with-config.js';
import { REPO_ROOT } from './support/repo.js';

interface Cred {
  kind: string;
  name: string;
  user: string;
  password: string;
}

async function natsConfig(args: string[]): Promise<number> {
  const { command } = await COMMANDS['nats-config']!();
  return command.run(args);
}

function readCreds(dir: string): Cred[] {
  return (JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { credentials: Cred[] }).credentials;
}

function cred(dir: string, user: string): Cred {
  const c = readCreds(dir).find((x) => x.user === user);
  if (!c) throw new Error(`no credential for ${user}`);
  return c;
}

const payload = new TextEncoder().encode('{"v":1}');

describe('cctap nats-config + deploy/nats/nats-server.conf', () => {
  const out = mkdtempSync(join(tmpdir(), 'cctap-auth-'));
  let nats: ConfiguredNats;
  const open: NatsConnection[] = [];
  const as = async (user: string, extra: { inboxPrefix?: string; password?: string } = {}) => {
    const nc = await connect({
      servers: nats.url,
      user,
      pass: extra.password ?? cred(out, user).password,
      ...(extra.inboxPrefix ? { inboxPrefix: extra.inboxPrefix } : {}),
    });
    open.push(nc);
    return nc;
  };

  beforeAll(async () => {
    expect(
      await natsConfig([
        '--hosts',
        'alpha,Beta.local',
        '--out',
        out,
        '--nats',
        'nats://central:4222',
        '--bcrypt-cost',
        '4',
      ]),
    ).toBe(0);
    nats = await serverWith(out);
    const admin = await as('svc-provision');
    await provision(admin, { prefix: '', replicas: 1 });
  });

  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => undefined);
    await nats?.dispose();
    rmSync(out, { recursive: true, force: true });
  });

  it('writes hashes to the server file, plain passwords only to private files', () => {
    const conf = readFileSync(join(out, 'auth.conf'), 'utf8');
    for (const c of readCreds(out)) {
      expect(conf).toContain(`"${c.user}"`);
      expect(conf).not.toContain(c.password);
    }
    expect(conf).toMatch(/"\$2a\$04\$/);
    expect(statSync(join(out, 'credentials.json')).mode & 0o077).toBe(0);
    expect(statSync(join(out, 'hosts/beta_local.yaml')).mode & 0o077).toBe(0);
    const yaml = readFileSync(join(out, 'hosts/beta_local.yaml'), 'utf8');
    // The host file is a valid `cctap collect --config` file naming this host and its user.
    const cfg = parseCollectArgs(['--config', join(out, 'hosts/beta_local.yaml')], {});
    expect(cfg).toMatchObject({
      nats: 'nats://central:4222',
      host: 'Beta.local',
      natsUser: 'host-beta_local',
      natsPassword: cred(out, 'host-beta_local').password,
    });
    expect(yaml).toContain('natsUser: "host-beta_local"');
    expect(readFileSync(join(out, 'services/sink.env'), 'utf8')).toMatch(
      /^CCTAP_NATS_USER=svc-sink\nCCTAP_NATS_PASSWORD=\S{20,}\n$/,
    );
  });

  it('lets a host publish its own subject through JetStream and get a PubAck', async () => {
    const nc = await as('host-alpha', { inboxPrefix: '_INBOX_alpha' });
    const ack = await jetstream(nc).publish(topology().subjects.raw('alpha'), payload, { msgID: 'alpha-1' });
    expect(ack.stream).toBe('CCTAP_RAW');
    expect(ack.duplicate).toBe(false);
  });

  it('lets the real `cctap collect` publish with nothing but the generated host file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cctap-auth-root-'));
    const state = mkdtempSync(join(tmpdir(), 'cctap-auth-state-'));
    try {
      mkdirSync(join(root, 'projects', '-work-demo'), { recursive: true });
      copyFileSync(
        join(REPO_ROOT, 'test/fixtures/real/spotter-v2.1.38-rejected-tool-use.jsonl'),
        join(root, 'projects', '-work-demo', 'session.jsonl'),
      );
      const jsm = await jetstreamManager(await as('svc-validator'));
      const before =
        (await jsm.streams.info('CCTAP_RAW', { subjects_filter: '>' })).state.subjects?.['cctap.raw.alpha'] ?? 0;
      const args = [
        'apps/cctap/dist/main.js',
        'collect',
        '--once',
        '--config',
        join(out, 'hosts/alpha.yaml'),
        '--nats',
        nats.url,
        '--root',
        root,
        '--state',
        state,
        '--metrics-port',
        '0',
      ];
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, args, { cwd: REPO_ROOT, timeout: 30_000 }, (err, _stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
        );
      });
      expect(result.stderr).not.toMatch(/permission/i);
      expect(result.code).toBe(0);
      const after =
        (await jsm.streams.info('CCTAP_RAW', { subjects_filter: '>' })).state.subjects?.['cctap.raw.alpha'] ?? 0;
      expect(after).toBeGreaterThan(before);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(state, { recursive: true, force: true });
    }
  });

  it('runs the Compose collector as Compose would with CCTAP_NATS_AUTH_DIR: its host credential, nothing else', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cctap-auth-root-'));
    const state = mkdtempSync(join(tmpdir(), 'cctap-auth-state-'));
    try {
      mkdirSync(join(root, 'projects', '-work-demo'), { recursive: true });
      copyFileSync(
        join(REPO_ROOT, 'test/fixtures/real/spotter-v2.1.38-rejected-tool-use.jsonl'),
        join(root, 'projects', '-work-demo', 'session.jsonl'),
      );
      // docker-compose.yml's collector, interpolated with auth on, its container paths mapped onto this machine.
      const collector = composeFile().services.collector!;
      // A host no other test publishes for (the stream drops a batch it already has), named as its file is.
      const vars = { CCTAP_NATS_AUTH_DIR: out, CCTAP_HOST: 'beta_local', CLAUDE_CONFIG_DIR: root };
      const paths = new Map<string, string>([['/state', state]]);
      for (const v of collector.volumes!) {
        const [src, target] = interpolate(v, vars).split(':') as [string, string];
        if (src.startsWith('/')) paths.set(target, src);
      }
      const onHost = (a: string) => {
        const mount = [...paths.keys()].find((t) => a === t || a.startsWith(`${t}/`));
        return mount ? paths.get(mount)! + a.slice(mount.length) : a;
      };
      const args = collector.command!.map((a) => onHost(interpolate(a, vars)));
      args[args.indexOf('--metrics-port') + 1] = '0';
      const env = Object.fromEntries(
        Object.entries(collector.environment!).map(([k, v]) => [k, onHost(interpolate(v, vars))]),
      );
      expect(env.CCTAP_CONFIG).toBe(join(out, 'hosts/beta_local.yaml'));
      const jsm = await jetstreamManager(await as('svc-validator'));
      const stored = async () =>
        (await jsm.streams.info('CCTAP_RAW', { subjects_filter: '>' })).state.subjects?.['cctap.raw.beta_local'] ?? 0;
      const before = await stored();
      const run = await cli(['collect', '--once', ...args], { ...env, NATS_URL: nats.url }, 30_000);
      expect(run.code, run.stderr).toBe(0);
      expect(await stored()).toBeGreaterThan(before);
      // The same service without the credential (auth off in Compose, on at the server) is refused in one line.
      const refused = await cli(['collect', '--once', ...args], { NATS_URL: nats.url }, 30_000);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/refused the credentials|authorization/i);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(state, { recursive: true, force: true });
    }
  });

  it("refuses a host publishing another host's subject, and nothing lands in the stream", async () => {
    const nc = await as('host-alpha', { inboxPrefix: '_INBOX_alpha' });
    const before = (await (await jetstreamManager(await as('svc-validator'))).streams.info('CCTAP_RAW')).state.messages;
    await expect(
      jetstream(nc).publish(topology().subjects.raw('beta.local'), payload, { msgID: 'forged-1', timeout: 2000 }),
    ).rejects.toThrow(/permission/i);
    const after = (await (await jetstreamManager(await as('svc-validator'))).streams.info('CCTAP_RAW')).state.messages;
    expect(after).toBe(before);
  });

  it('needs the private inbox: the shared _INBOX is not granted, nor any other subscription', async () => {
    const nc = await as('host-alpha'); // default inbox prefix _INBOX
    await expect(
      jetstream(nc).publish(topology().subjects.raw('alpha'), payload, { msgID: 'alpha-2', timeout: 2000 }),
    ).rejects.toThrow(/permission/i);
    // Reading other hosts' events or replies is refused by the server (the subscription is closed with an error).
    const nc2 = await as('host-alpha', { inboxPrefix: '_INBOX_alpha' });
    const sub = nc2.subscribe('cctap.events.>');
    const closed = await sub.closed;
    expect(String(closed)).toMatch(/permission/i);
  });

  it('refuses a wrong password', async () => {
    await expect(
      connect({ servers: nats.url, user: 'host-alpha', pass: 'not-the-password', reconnect: false }),
    ).rejects.toThrow(/authorization/i);
  });

  it('keeps passwords on re-run, rotates only what --rotate names, and removes hosts no longer listed', async () => {
    const before = readCreds(out);
    expect(await natsConfig(['--hosts', 'alpha,gamma', '--rotate', 'alpha', '--out', out, '--bcrypt-cost', '4'])).toBe(
      0,
    );
    const after = readCreds(out);
    const pw = (list: Cred[], user: string) => list.find((c) => c.user === user)?.password;
    expect(pw(after, 'host-alpha')).not.toBe(pw(before, 'host-alpha'));
    expect(pw(after, 'svc-sink')).toBe(pw(before, 'svc-sink'));
    expect(pw(after, 'host-beta_local')).toBeUndefined();
    expect(() => statSync(join(out, 'hosts/beta_local.yaml'))).toThrow();
    expect(pw(after, 'host-gamma')).toBeDefined();

    // Apply the new file (a restart here; `nats-server --signal reload` in production).
    await nats.dispose();
    nats = await serverWith(out);
    await expect(
      connect({ servers: nats.url, user: 'host-alpha', pass: pw(before, 'host-alpha')!, reconnect: false }),
    ).rejects.toThrow(/authorization/i);
    const admin = await as('svc-provision');
    await provision(admin, { prefix: '', replicas: 1 });
    const gamma = await as('host-gamma', { inboxPrefix: '_INBOX_gamma' });
    expect((await jetstream(gamma).publish('cctap.raw.gamma', payload, { msgID: 'gamma-1' })).stream).toBe('CCTAP_RAW');
  });

  it('rejects bad arguments with a one-line error and exit code 2', async () => {
    expect(await natsConfig(['--out', out])).toBe(2);
    expect(await natsConfig(['--hosts', 'a.b,a_b', '--out', out])).toBe(2);
    expect(await natsConfig(['--hosts', 'a', '--rotate', 'zzz', '--out', out])).toBe(2);
  });
});

describe('deploy/nats/nats-server.conf with the no-auth include (compose default)', () => {
  it('starts with JetStream and accepts an anonymous JetStream publish', async () => {
    const nats = await serverWith(join(REPO_ROOT, 'deploy/nats/no-auth'));
    const nc = await connect({ servers: nats.url });
    try {
      await provision(nc, { prefix: 'noauth', replicas: 1 });
      const t = topology('noauth');
      expect((await jetstream(nc).publish(t.subjects.raw('h1'), payload)).stream).toBe(t.stream('raw'));
    } finally {
      await nc.close();
      await nats.dispose();
    }
  });
});
