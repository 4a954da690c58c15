/**
 * The gate is only an optimization if it never hides a secret: whenever it says "nothing here", applying
 * every rule must leave the string unchanged. Checked on strings built from near-miss fragments (keywords
 * in every case, separators, quotes, prefixes of every secret shape) where a wrong shortcut would show.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayHoldSecret } from './secret-gate.js';
import { applySecretRules } from './secret-rules.js';
import { seedProperties } from '../testing/property-seed.js';

seedProperties();

const FRAGMENTS = [
  'sk-',
  'sk-ant-',
  'sk-proj-',
  'disk-',
  'AKIA',
  'ASIA',
  'Asia',
  'akia',
  'IA',
  'ghp_',
  'gho_',
  'ghx_',
  'gh',
  'github_pat_',
  '_pat_',
  'xoxb-',
  'xoxz-',
  'xox',
  'eyJ',
  'eyj',
  '.',
  'bearer',
  'Bearer',
  'BEARER',
  'bEaReR',
  'wearer ',
  'earer',
  'EARER',
  '://',
  'https://',
  'postgres://',
  'hooks.slack.com/services/',
  '@',
  'user:',
  'pw@',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----END RSA PRIVATE KEY-----',
  'PRIVATE KEY',
  '-----',
  'password',
  'PASSWORD',
  'passwd',
  'PassPhrase',
  'secret',
  'Secret',
  'token',
  'TOKEN',
  'tokens',
  'output_tokens',
  'api_key',
  'api-key',
  'ApiKey',
  'apikey',
  'access_key',
  'AccessKey',
  'secret_key',
  'private_key',
  'auth-key',
  'client_secret',
  'credential',
  'Credentials',
  'aws_secret_access_key',
  'SecretAccessKey',
  'key',
  'KEY',
  ':',
  '=',
  ' = ',
  '"',
  "'",
  '\\',
  '\\"',
  ' ',
  '\t',
  '\n',
  ',',
  ';',
  '[',
  ']',
  '→',
  'é',
  'sk_live_',
  'rk_test_',
  'k_live',
  'AIza',
  'AI',
  'glpat-',
  'gldt-',
  'gl',
  'npm_',
  'pypi-AgE',
  'hf_',
  'SG.',
  'SG',
  'shpat_',
  'dop_v1_',
  '_v1_',
  'AGE-SECRET-KEY-1',
  'Q~',
  '7Q~',
  'AccountKey=',
  'accountkey',
  '&sig=',
  'sig=',
  'Basic ',
  'basic\t',
  'BASIC',
  ' -u ',
  ' -u',
  ' --user ',
  ' --proxy-user=',
  ' -p',
  '\t-p',
  ' --password ',
  ' -pass',
  'mysql ',
  'docker login ',
  'helm registry login ',
  'DB_PASS',
  'bypass',
  'MYSQL_PWD',
  'pwd',
  'SECRET_KEY_BASE',
  '-----BEGIN PGP PRIVATE KEY BLOCK-----',
  'redis://:',
  '://:',
  'docker',
  'login',
  '\u00a0',
  '\r',
  'base64,',
  'iVBORw0KGgo',
  'sha512-',
  '/',
  '+',
  '0',
  '7',
  'Zq',
  'aB3',
  'Xq7Lm2Zw9Rb4Kc8V',
  'n3Hz5JdTq1Pa6Se0',
];
const WORD = fc.stringMatching(/^[A-Za-z0-9+/_-]{1,45}$/);
const TEXT = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), WORD, fc.string({ maxLength: 4 })), { maxLength: 24 })
  .map((parts) => parts.join(''));

describe('mayHoldSecret', () => {
  it('is false only for strings that no rule changes', () => {
    fc.assert(
      fc.property(TEXT, (s) => {
        if (!mayHoldSecret(s)) expect(applySecretRules(s)).toBe(s);
      }),
      { numRuns: 20_000 },
    );
  });

  it('lets through a string where some rule does change', () => {
    // Guards the property above against a generator that never produces secrets.
    let masked = 0;
    fc.assert(
      fc.property(TEXT, (s) => {
        if (applySecretRules(s) !== s) masked += 1;
      }),
      { numRuns: 5_000 },
    );
    expect(masked).toBeGreaterThan(100);
  });

  it.each([
    'sk-ant-api03-Abc123_def456',
    'AKIAIOSFODNN7EXAMPLE',
    'gho_16C7e42F292c6912E7710c838347Ae178B4a',
    'github_pat_11ABCDEFG0123456789_abcdefghij',
    'xoxb-123456789012-1234567890123',
    'eyJhbGciOi.eyJzdWIiOi.dozjgNryP4',
    'Authorization: bEaReR abc123def456ghi789',
    'postgres://admin:pw@db',
    'https://hooks.slack.com/services/T0/B0/X',
    '-----BEGIN PRIVATE KEY-----\nMIIE',
    'DB_PASSWORD=hunter2',
    'sk_live_51HqWeRtYuIoPaSdFgHjKlZx',
    'AIzaSyQ7Wm2Lx9Rb4Kc8Vn3Hz5JdTq1Pa6Se0Fg',
    'glpat-Wq7Lm2Zx9Rb4Kc8Vn3Hz',
    'Authorization: Basic ZGVwbG95OnB3',
    'curl -u admin:pw https://x',
    'mysql -u root -pSecret1 db',
    'docker login -p pw reg',
    'DB_PASS=x1y2z3',
    'AccountKey=abc;',
    'x?sv=1&sig=abc',
    'redis://:pw@cache',
    'the key is Xq7Lm2Zw9Rb4Kc8Vn3Hz5JdTq1Pa6Se0 ok',
    '{\\"SecretAccessKey\\": \\"x\\"}',
    "GITHUB_TOKEN \t= 'abc'",
    // White space the rules take and the gate once did not: a line break or a no-break space before `=`, and a
    // registry command with `login` on the next line.
    'x AccountKey\n=abcdefghijklmnopqrstuvwxyz',
    'x AccountKey\u00a0=abcdefghijklmnopqrstuvwxyz',
    'docker\nlogin -p pw123 reg',
  ])('flags %s', (s) => {
    expect(mayHoldSecret(s)).toBe(true);
  });

  it.each([
    'input_tokens: 15005, max_tokens: 32000',
    'See https://example.com/a and key: value',
    'the token count grew; through the night',
    'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 and id 55604662-1111-4222-8333-444455556666',
    'short',
  ])('passes ordinary text: %s', (s) => {
    expect(mayHoldSecret(s)).toBe(false);
  });
});
