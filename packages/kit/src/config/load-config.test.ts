import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { baseConfigShape, natsConfigShape } from './common-shape.js';
import { loadConfig, redactConfig } from './load-config.js';
import { HelpRequest, UnknownOptionError } from './option-errors.js';

const shape = {
  ...baseConfigShape,
  ...natsConfigShape,
  tags: z.array(z.string()).default([]),
  dryRun: z.boolean().default(false),
  batch: z.coerce.number().default(10),
};

describe('loadConfig', () => {
  it('reads flags in both spellings, repeatable flags and booleans, over env over file over defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'batch: 5\nlogLevel: debug\nnats: nats://file:4222\n');
    const cfg = loadConfig({
      shape,
      argv: [
        '--config',
        file,
        '--metrics-port=0',
        '--tags',
        'a',
        '--tags=b',
        '--dry-run',
        '--nats',
        'nats://flag:4222',
      ],
      env: { NATS_URL: 'nats://env:4222', CCTAP_BATCH: '7', CCTAP_LOG_FORMAT: '' },
    });
    expect(cfg).toMatchObject({
      metricsPort: 0,
      tags: ['a', 'b'],
      dryRun: true,
      nats: 'nats://flag:4222',
      batch: 7,
      logLevel: 'debug',
      logFormat: 'json',
    });
    expect(loadConfig({ shape, argv: [], env: { NATS_URL: 'nats://env:4222' } }).nats).toBe('nats://env:4222');
  });

  it('names the offending flag in a one-line ConfigError', () => {
    expect(() => loadConfig({ shape, argv: ['--metrics-port', 'x'], env: {} })).toThrow(/--metrics-port/);
    expect(() => loadConfig({ shape, argv: ['--nope', '1'], env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ shape, argv: ['--log-level', 'loud'], env: {} })).toThrow(/--log-level/);
  });

  it('redacts secrets when printed', () => {
    const cfg = loadConfig({
      shape,
      argv: ['--nats-password', 'hunter2', '--nats-token', 't0k'],
      env: { NATS_URL: 'nats://u:pw@h:4222' },
    });
    const shown = JSON.stringify(redactConfig(cfg));
    expect(shown).not.toMatch(/hunter2|t0k|:pw@/);
    expect(shown).toContain('[redacted]');
  });

  it('accepts the short NATS flags (--creds, --user/--password, --tls-*) and the same keys in a config file', () => {
    const shape = { ...baseConfigShape, ...natsConfigShape };
    const cfg = loadConfig({
      shape,
      env: {},
      argv: [
        '--creds',
        '/h.creds',
        '--user',
        'u',
        '--password',
        'p',
        '--tls-ca',
        '/ca.pem',
        '--tls-cert',
        '/c.pem',
        '--tls-key',
        '/k.pem',
      ],
    });
    expect(cfg).toMatchObject({
      natsCredsFile: '/h.creds',
      natsUser: 'u',
      natsPassword: 'p',
      natsTlsCa: '/ca.pem',
      natsTlsCert: '/c.pem',
      natsTlsKey: '/k.pem',
    });
    const dir = mkdtempSync(join(tmpdir(), 'cctap-cfg-'));
    const file = join(dir, 'host.yaml');
    writeFileSync(file, 'user: alice\npassword: s3cret\n');
    expect(loadConfig({ shape, env: {}, argv: ['--config', file] })).toMatchObject({
      natsUser: 'alice',
      natsPassword: 's3cret',
    });
  });

  it('reports a config file that does not parse as a one-line ConfigError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cctap-cfg-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "nats": ');
    const run = () =>
      loadConfig({ shape: { ...baseConfigShape, ...natsConfigShape }, env: {}, argv: ['--config', file] });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/--config: .*bad\.json is not valid JSON/);
  });

  it('takes config file keys spelled as the flags or as the fields, and refuses a key that is no option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cctap-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'metrics-port: 7\nlogLevel: debug\ndry-run: true\ntls-ca: /ca.pem\n');
    expect(loadConfig({ shape, env: {}, argv: ['--config', file] })).toMatchObject({
      metricsPort: 7,
      logLevel: 'debug',
      dryRun: true,
      natsTlsCa: '/ca.pem',
    });
    writeFileSync(file, 'metrics-prot: 7\n');
    let caught: unknown;
    try {
      loadConfig({ shape, env: {}, argv: ['--config', file] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnknownOptionError);
    expect(caught).toMatchObject({
      option: 'metrics-prot',
      file,
      message: `--config: ${file} has an unknown key 'metrics-prot'`,
    });
    expect((caught as UnknownOptionError).known).toContain('metrics-port');
  });

  it('refuses an unknown flag naming every flag it could have meant', () => {
    let caught: unknown;
    try {
      loadConfig({ shape, env: {}, argv: ['--metrics-prot', '7'] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnknownOptionError);
    expect(caught).toMatchObject({
      option: '--metrics-prot',
      message: 'invalid configuration: unknown option --metrics-prot',
    });
    expect((caught as UnknownOptionError).known).toEqual(
      expect.arrayContaining(['--metrics-port', '--dry-run', '--creds', '--help']),
    );
  });

  it('refuses flags and file keys named like members of Object.prototype as unknown options', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cctap-cfg-'));
    const file = join(dir, 'c.yaml');
    for (const name of ['constructor', 'toString', '__proto__']) {
      expect(() => loadConfig({ shape, env: {}, argv: [`--${name}`, '1'] })).toThrow(UnknownOptionError);
      writeFileSync(file, `${name}: 1\n`);
      expect(() => loadConfig({ shape, env: {}, argv: ['--config', file] })).toThrow(UnknownOptionError);
    }
  });

  it('reads a mapping from NAME=VALUE pairs on the command line and in the environment', () => {
    const withLabels = { ...shape, labels: z.record(z.string(), z.string()).default({}) };
    expect(
      loadConfig({ shape: withLabels, env: {}, argv: ['--labels', 'team=core,env=prod', '--labels', 'site=a'] }).labels,
    ).toEqual({ team: 'core', env: 'prod', site: 'a' });
    expect(loadConfig({ shape: withLabels, env: { CCTAP_LABELS: 'team=core' }, argv: [] }).labels).toEqual({
      team: 'core',
    });
    expect(() => loadConfig({ shape: withLabels, env: {}, argv: ['--labels', 'team'] })).toThrow(
      "invalid configuration: --labels: expected NAME=VALUE pairs separated by commas, got 'team'",
    );
  });

  it('answers --help and -h with the usage and an option list made from the shape', () => {
    for (const argv of [['--help'], ['-h'], ['--nats', 'x', '--help']]) {
      let caught: unknown;
      try {
        loadConfig({ shape, env: {}, argv, usage: 'usage: cctap thing [options]' });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(HelpRequest);
      const text = (caught as HelpRequest).text;
      expect(text.startsWith('usage: cctap thing [options]\n')).toBe(true);
      expect(text).toMatch(
        /^ {2}--metrics-port N +port of \/metrics, \/livez, \/readyz; 0 = a free port \(default 9464\)$/m,
      );
      expect(text).toMatch(/^ {2}--nats-creds-file, --creds FILE\s+NATS credentials file/m);
      expect(text).toMatch(/^ {2}--tags VALUE \.\.\. *$/m);
      expect(text).toMatch(/^ {2}--dry-run +$/m);
      // The command's own options first, the shared ones (logs, probes, NATS) under their own heading.
      const [own, common] = text.split(/^common options.*$/m);
      expect(own).toMatch(/--tags/);
      expect(own).not.toMatch(/--metrics-port|--nats/);
      expect(common).toMatch(/--metrics-port[\s\S]*--nats /);
      expect(text).toMatch(
        /^ {2}--log-level debug\|info\|warn\|error\|silent\s+least severe log line written \(default info\)$/m,
      );
    }
  });
});
