/** The entropy rule masks random-looking tokens and leaves ordinary code, hashes, ids and images alone. */
import { describe, expect, it } from 'vitest';
import { maskRandomTokens, shannonEntropy } from './random-token.js';

const M = '[M]';

describe('maskRandomTokens', () => {
  it.each([
    'the key is Xq7Lm2Zw9Rb4Kc8Vn3Hz5JdTq1Pa6Se0 for staging',
    'AAHq7Wm2Lx9Rb4Kc8Vn3Hz5JdTq1Pa6Se0Fg',
    'cd /srv/deploy/Xq7Lm2Zw9Rb4Kc8Vn3Hz5JdTq1Pa6Se0/app',
    'Wq8rT5yU2iO9pA6sD3fG0hJ7kL4zX1cV8bN5mQ2e',
  ])('masks %s', (text) => {
    expect(maskRandomTokens(text, M)).toContain(M);
  });

  it.each([
    ['a git SHA', 'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (HEAD -> main)'],
    ['a short SHA list', 'a1b2c3d e4f5a6b 0123456789abcdef0123456789abcdef01234567'],
    ['a UUID', 'session 55604662-1111-4222-8333-444455556666 and 7C67A3F1-0000-4000-8000-000000000000'],
    ['a SHA-256', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    [
      'a base64 PNG data URI',
      `<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==">`,
    ],
    [
      'a bare base64 PNG',
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg',
    ],
    [
      'an integrity hash',
      '"integrity": "sha512-Fa8Wq2Lm7Zx3Rb5Tc9Vn1Hz4JdQp6Se0Kg8Yu2Io5Pa3Sd7Fg1Hj9Kl4Zx6Cv2Bn8Mq0We3Rt5Yu7Io9PaA=="',
    ],
    ['camelCase identifiers', 'handleOAuth2CallbackForGoogleProvider(getUserById2FromDatabaseCache)'],
    [
      'constants and paths',
      'MAX_TEXT_CHARS_2048_DEFAULT /home/dev/projects/spotter-v2.1.38/src/components/Header3.tsx',
    ],
    ['kebab names', 'fasthooks-v2-0-76-compaction-tool-errors-2026'],
    ['prose', 'Refactored the normalizer in 3 files; 1,234 lines changed across 12 commits.'],
  ])('leaves %s alone', (_what, text) => {
    expect(maskRandomTokens(text, M)).toBe(text);
  });

  it('measures entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});
