import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { baseConfigShape, loadConfig, natsConfigShape, redactConfig } from './load-config.js';

const shape = { ...baseConfigShape, ...natsConfigShape, tags: z.array(z.string()).default([]), dryRun: z.boolean().default(false), batch: z.coerce.number().default(10) };

describe('loadConfig', () => {
  it('reads flags in both spellings, repeatable flags and booleans, over env over file over defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'batch: 5\nlogLevel: debug\nnats: nats://file:4222\n');
    const cfg = loadConfig({
      shape,
      argv: ['--config', file, '--metrics-port=0', '--tags', 'a', '--tags=b', '--dry-run', '--nats', 'nats://flag:4222'],
      env: { NATS_URL: 'nats://env:4222', CCTAP_BATCH: '7', CCTAP_LOG_FORMAT: '' },
    });
    expect(cfg).toMatchObject({ metricsPort: 0, tags: ['a', 'b'], dryRun: true, nats: 'nats://flag:4222', batch: 7, logLevel: 'debug', logFormat: 'json' });
    expect(loadConfig({ shape, argv: [], env: { NATS_URL: 'nats://env:4222' } }).nats).toBe('nats://env:4222');
  });

  it('names the offending flag in a one-line ConfigError', () => {
    expect(() => loadConfig({ shape, argv: ['--metrics-port', 'x'], env: {} })).toThrow(/--metrics-port/);
    expect(() => loadConfig({ shape, argv: ['--nope', '1'], env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ shape, argv: ['--log-level', 'loud'], env: {} })).toThrow(/--log-level/);
  });

  it('redacts secrets when printed', () => {
    const cfg = loadConfig({ shape, argv: ['--nats-password', 'hunter2', '--nats-token', 't0k'], env: { NATS_URL: 'nats://u:pw@h:4222' } });
    const shown = JSON.stringify(redactConfig(cfg));
    expect(shown).not.toMatch(/hunter2|t0k|:pw@/);
    expect(shown).toContain('[redacted]');
  });

  it('accepts the short NATS flags (--creds, --user/--password, --tls-*) and the same keys in a config file', () => {
    const shape = { ...baseConfigShape, ...natsConfigShape };
    const cfg = loadConfig({ shape, env: {}, argv: ['--creds', '/h.creds', '--user', 'u', '--password', 'p', '--tls-ca', '/ca.pem', '--tls-cert', '/c.pem', '--tls-key', '/k.pem'] });
    expect(cfg).toMatchObject({ natsCredsFile: '/h.creds', natsUser: 'u', natsPassword: 'p', natsTlsCa: '/ca.pem', natsTlsCert: '/c.pem', natsTlsKey: '/k.pem' });
    const dir = mkdtempSync(join(tmpdir(), 'cctap-cfg-'));
    const file = join(dir, 'host.yaml');
    writeFileSync(file, 'user: alice\npassword: s3cret\n');
    expect(loadConfig({ shape, env: {}, argv: ['--config', file] })).toMatchObject({ natsUser: 'alice', natsPassword: 's3cret' });
  });

  it('reports a config file that does not parse as a one-line ConfigError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cctap-cfg-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "nats": ');
    const run = () => loadConfig({ shape: { ...baseConfigShape, ...natsConfigShape }, env: {}, argv: ['--config', file] });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/--config: .*bad\.json is not valid JSON/);
  });
});
