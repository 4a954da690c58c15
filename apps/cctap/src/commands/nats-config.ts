/**
 * `cctap nats-config --hosts a,b,c [--out DIR]`: the NATS server's authorization block and one credential
 * per developer host and per central service.
 *
 * Each host may publish only `cctap.raw.<host>` and subscribe only to its private reply inbox
 * `_INBOX_<host>.>` (a JetStream publish is a request: the PubAck comes back on the publisher's inbox; a
 * shared `_INBOX.>` grant would let one host read every other client's replies), and may ask for the raw
 * stream's info (its creation time tells the collector which stream its checkpoints belong to). That is
 * the whole set a collector needs; test/deploy/nats-auth.test.ts proves a host gets its PubAck and is refused another host's
 * subject. Central services are trusted and get their own unrestricted users (auditable, revocable one by
 * one).
 *
 * The server file holds bcrypt hashes only. Plain passwords live in DIR/credentials.json (mode 0600), which
 * is also the state of the generator: re-running keeps existing passwords, adds new hosts, drops hosts no
 * longer listed, and `--rotate a,b` gives those users fresh passwords.
 *
 * DIR/
 *   auth.conf               included by nats-server.conf (accounts, users, permissions)
 *   credentials.json        every plain password (keep secret; the generator's state)
 *   hosts/<host>.yaml       `cctap collect --config` file for that host
 *   services/<svc>.env      CCTAP_NATS_USER / CCTAP_NATS_PASSWORD for one central service
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import { hostInboxPrefix, sanitizeToken, topology } from '@cctap/events';
import type { Command } from './registry.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { printHelp } from '../flags/command-help.js';
import { parseCommandLine } from '../flags/parse-command.js';
import { withHelpHint } from '../flags/usage-exit.js';
import { SUMMARIES } from './summaries.js';

const DEFAULT_SERVICES = ['provision', 'validator', 'analyzer', 'alerter', 'sink'];

export const spec = {
  name: 'nats-config',
  summary: SUMMARIES['nats-config'],
  usage: `usage: cctap nats-config --hosts a,b,c [--out DIR] [--nats URL] [--services LIST] [--rotate LIST]
                         [--prefix P] [--account NAME] [--bcrypt-cost N]

Writes the NATS server's authorization (DIR/auth.conf, bcrypt hashes only) and one credential per host
(DIR/hosts/<host>.yaml, for 'cctap collect --config') and per central service (DIR/services/<svc>.env).
Re-running keeps existing passwords; --rotate gives the listed hosts or services new ones.`,
  flags: {
    hosts: {
      type: 'string',
      arg: 'LIST',
      description: 'developer hosts (names as the collector reports them, e.g. the short hostname); required',
    },
    out: { type: 'string', arg: 'DIR', default: 'nats-auth', description: 'output directory' },
    nats: {
      type: 'string',
      arg: 'URL',
      default: 'nats://nats.example.internal:4222',
      description: 'server URL written into the host files',
    },
    services: {
      type: 'string',
      arg: 'LIST',
      default: DEFAULT_SERVICES.join(','),
      description: 'central service users',
    },
    rotate: { type: 'string', arg: 'LIST', description: 'hosts or services whose passwords are replaced' },
    prefix: {
      type: 'string',
      arg: 'P',
      description: 'topology prefix (several pipelines on one server); empty in production',
    },
    account: { type: 'string', arg: 'NAME', default: 'CCTAP', description: 'the account holding the streams' },
    'bcrypt-cost': { type: 'string', arg: 'N', default: '11', description: 'bcrypt cost of the stored hashes' },
  },
} as const satisfies CommandSpec;

interface Credential {
  kind: 'host' | 'service';
  /** The name as given on the command line (hosts) or the service name. */
  name: string;
  user: string;
  password: string;
}

interface CredentialFile {
  version: 1;
  credentials: Credential[];
}

class NatsConfigError extends Error {
  override name = 'NatsConfigError';
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

function loadState(file: string): Credential[] {
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new NatsConfigError(`${file} is not valid JSON (${(err as Error).message}); move it away to start over`);
  }
  const creds = (parsed as Partial<CredentialFile> | null)?.credentials;
  if (
    !Array.isArray(creds) ||
    !creds.every(
      (c: Partial<Credential>) =>
        typeof c.user === 'string' && typeof c.password === 'string' && (c.kind === 'host' || c.kind === 'service'),
    )
  ) {
    throw new NatsConfigError(
      `${file} does not hold a credentials list written by cctap nats-config; move it away to start over`,
    );
  }
  return creds as Credential[];
}

/** A bcrypt hash nats-server accepts (it checks for the `$2a$` family; the algorithm is the same). */
function hash(password: string, cost: number): string {
  return bcrypt.hashSync(password, cost).replace(/^\$2b\$/, '$2a$');
}

const q = (s: string) => JSON.stringify(s);

function renderAuthConf(creds: readonly Credential[], o: { account: string; prefix: string; cost: number }): string {
  const t = topology(o.prefix || undefined);
  const users = creds.map((c) => {
    const head = `      { user: ${q(c.user)}, password: ${q(hash(c.password, o.cost))}`;
    if (c.kind === 'service') return `${head} }`;
    // STREAM.INFO of the raw stream: the collector records which stream its checkpoints belong to.
    return `${head},\n        permissions: { publish: { allow: [${q(t.subjects.raw(c.name))}, ${q(`$JS.API.STREAM.INFO.${t.stream('raw')}`)}] }, subscribe: { allow: [${q(`${hostInboxPrefix(c.name)}.>`)}] } } }`;
  });
  return `# Generated by 'cctap nats-config' on ${new Date().toISOString()}; re-run it instead of editing.
# Hosts publish only their own raw subject and read only their own reply inbox; services are unrestricted.
accounts {
  ${o.account} {
    jetstream: enabled
    users: [
${users.join('\n')}
    ]
  }
}
`;
}

function renderHostYaml(c: Credential, natsUrl: string, prefix: string): string {
  return `# cctap collect --config <this file>   (generated by 'cctap nats-config'; keep it private)
# The collector must use the private reply inbox ${hostInboxPrefix(c.name)} (its only subscribe permission).
nats: ${q(natsUrl)}
host: ${q(c.name)}
natsUser: ${q(c.user)}
natsPassword: ${q(c.password)}
${prefix ? `prefix: ${q(prefix)}\n` : ''}`;
}

function writeSecret(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // writeFileSync keeps the mode of an existing file
}

export const command: Command = {
  spec,
  async run(argv) {
    let parsed;
    try {
      parsed = parseCommandLine(spec, argv);
    } catch (err) {
      console.error(`cctap nats-config: ${withHelpHint('nats-config', (err as Error).message)}`);
      return EXIT.usage;
    }
    if (parsed.help) return printHelp(spec);
    const values = parsed.values;
    const hosts = list(values.hosts);
    if (hosts.length === 0) {
      console.error('cctap nats-config: --hosts is required (a comma-separated list of developer hosts)');
      return EXIT.usage;
    }
    const cost = Number(values['bcrypt-cost']);
    if (!Number.isInteger(cost) || cost < 4 || cost > 16) {
      console.error(
        `cctap nats-config: --bcrypt-cost must be a whole number from 4 to 16, got '${values['bcrypt-cost']}'`,
      );
      return EXIT.usage;
    }
    const account = values.account!;
    if (!/^[A-Za-z0-9_-]+$/.test(account)) {
      console.error(`cctap nats-config: --account must be [A-Za-z0-9_-]+, got '${account}'`);
      return EXIT.usage;
    }
    const services = list(values.services);
    const prefix = values.prefix ?? '';
    const out = resolve(values.out!);
    const stateFile = join(out, 'credentials.json');

    // Two hosts whose names sanitize to the same subject token would share a subject: refuse.
    const byToken = new Map<string, string>();
    for (const h of hosts) {
      const tok = sanitizeToken(h);
      const other = byToken.get(tok);
      if (other !== undefined && other !== h) {
        console.error(`cctap nats-config: hosts '${other}' and '${h}' map to the same subject token '${tok}'`);
        return EXIT.usage;
      }
      byToken.set(tok, h);
    }

    let previous: Credential[];
    try {
      previous = loadState(stateFile);
    } catch (err) {
      if (err instanceof NatsConfigError) {
        console.error(`cctap nats-config: ${err.message}`);
        return EXIT.failure;
      }
      throw err;
    }
    const rotate = new Set(list(values.rotate));
    const wanted: Omit<Credential, 'password'>[] = [
      ...services.map((s) => ({ kind: 'service' as const, name: s, user: `svc-${sanitizeToken(s)}` })),
      ...[...byToken.entries()].map(([tok, h]) => ({ kind: 'host' as const, name: h, user: `host-${tok}` })),
    ];
    const creds: Credential[] = wanted.map((w) => {
      const old = previous.find((p) => p.user === w.user);
      return { ...w, password: old && !rotate.has(w.name) ? old.password : newPassword() };
    });
    const unknownRotate = [...rotate].filter((r) => !wanted.some((w) => w.name === r));
    if (unknownRotate.length > 0) {
      console.error(`cctap nats-config: --rotate names no listed host or service: ${unknownRotate.join(', ')}`);
      return EXIT.usage;
    }

    mkdirSync(join(out, 'hosts'), { recursive: true, mode: 0o700 });
    mkdirSync(join(out, 'services'), { recursive: true, mode: 0o700 });
    writeSecret(stateFile, `${JSON.stringify({ version: 1, credentials: creds } satisfies CredentialFile, null, 2)}\n`);
    writeFileSync(join(out, 'auth.conf'), renderAuthConf(creds, { account, prefix, cost }), { mode: 0o644 });
    const natsUrl = values.nats!;
    const keep = new Set<string>();
    for (const c of creds) {
      const file =
        c.kind === 'host'
          ? join('hosts', `${sanitizeToken(c.name)}.yaml`)
          : join('services', `${sanitizeToken(c.name)}.env`);
      keep.add(file);
      writeSecret(
        join(out, file),
        c.kind === 'host'
          ? renderHostYaml(c, natsUrl, prefix)
          : `CCTAP_NATS_USER=${c.user}\nCCTAP_NATS_PASSWORD=${c.password}\n`,
      );
    }
    // Credentials of hosts or services no longer listed are removed with their files: they stop working
    // as soon as the server reloads auth.conf.
    const removed: string[] = [];
    for (const sub of ['hosts', 'services']) {
      for (const f of readdirSync(join(out, sub))) {
        if (!keep.has(join(sub, f))) {
          rmSync(join(out, sub, f));
          removed.push(join(sub, f));
        }
      }
    }

    const rotated = creds.filter((c) => rotate.has(c.name)).map((c) => c.user);
    const added = creds.filter((c) => !previous.some((p) => p.user === c.user)).map((c) => c.user);
    console.log(`wrote ${out}: ${hosts.length} host(s), ${services.length} service(s)`);
    if (added.length > 0) console.log(`  new:     ${added.join(', ')}`);
    if (rotated.length > 0) console.log(`  rotated: ${rotated.join(', ')}`);
    if (removed.length > 0) console.log(`  removed: ${removed.join(', ')}`);
    console.log(
      `Reload the server to apply: nats-server --signal reload (or send SIGHUP); hand each host its hosts/<host>.yaml.`,
    );
    return EXIT.ok;
  },
};
