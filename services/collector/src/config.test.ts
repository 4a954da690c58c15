import { describe, expect, it } from 'vitest';
import { parseCollectArgs } from './config.js';

const err = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parseCollectArgs(argv, env);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('cctap collect flags', () => {
  it('parses flags with defaults', () => {
    const c = parseCollectArgs(['--nats', 'nats://x:4222', '--root', '/a', '--root', '/b', '--once'], {});
    expect(c).toMatchObject({
      nats: 'nats://x:4222',
      root: ['/a', '/b'],
      once: true,
      privacy: 'redacted',
      sweepMs: 1000,
    });
  });
  it('takes the server from NATS_URL and fields from CCTAP_*', () => {
    expect(parseCollectArgs([], { NATS_URL: 'nats://env:4222', CCTAP_PRIVACY: 'metadata' })).toMatchObject({
      nats: 'nats://env:4222',
      privacy: 'metadata',
    });
  });
  it('names the bad flag in one line', () => {
    expect(err(['--nats', 'n', '--privacy', 'open'])).toMatch(/--privacy: /);
    expect(err(['--nats', 'n', '--since', 'yesterday'])).toMatch(/--since: not a date/);
    expect(err(['--nats', 'n', '--metrics-port', 'abc'])).toMatch(/--metrics-port: /);
    expect(err([])).toMatch(/--nats: is required/);
    expect(err(['--nats', 'n', '--bogus', 'x'])).toMatch(/--bogus/);
    expect(err(['--nats', 'n', '--nats-user', 'u'])).toMatch(/--nats-password/);
    for (const m of [err([]), err(['--nats', 'n', '--privacy', 'open'])]) expect(m).not.toContain('\n');
  });
});
