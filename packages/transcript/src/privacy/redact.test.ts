import { describe, expect, it } from 'vitest';
import { normalizeLine } from '../normalize/normalize-line.js';
import { malformedEvent } from '../normalize/malformed-event.js';
import type { CctapEvent, PrivacyMode } from '@cctap/events';
import {
  assistantText,
  bytesOf,
  encoder,
  envelope,
  lineCtx,
  toolResult,
  toolUse,
  userPrompt,
} from '../testing/lines.js';
import { redact } from './redact.js';

/** Each planted secret and the part of it that must never survive `redacted`. */
const SECRETS: { kind: string; text: string; secret: string }[] = [
  {
    kind: 'anthropic_key',
    text: 'export ANTHROPIC=sk-ant-api03-Abc123_def456-GHI789jkl012MNO345',
    secret: 'Abc123_def456-GHI789jkl012MNO345',
  },
  {
    kind: 'openai_key',
    text: 'key is sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 ok',
    secret: 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  },
  {
    kind: 'openai_key',
    text: 'old style sk-ZyXwVuTsRqPoNmLkJiHgFeDcBa98765 here',
    secret: 'ZyXwVuTsRqPoNmLkJiHgFeDcBa98765',
  },
  { kind: 'aws_access_key_id', text: 'id AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A', secret: 'IOSFODNN7EXAMPLE' },
  { kind: 'aws_access_key_id', text: 'session ASIAY34FZKBOKMUTVV7A', secret: 'Y34FZKBOKMUTVV7A' },
  {
    kind: 'aws_secret_key',
    text: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  {
    kind: 'aws_secret_key',
    text: '{"SecretAccessKey": "abcdEFGHijklMNOPqrstUVWXyz0123456789+/AB"}',
    secret: 'abcdEFGHijklMNOPqrstUVWXyz0123456789+/AB',
  },
  {
    kind: 'github_token',
    text: 'git clone https://ghp_1234567890abcdefghijABCDEFGHIJ123456@github.com/x/y',
    secret: 'ghp_1234567890abcdefghij',
  },
  {
    kind: 'github_token',
    text: 'GH gho_16C7e42F292c6912E7710c838347Ae178B4a and ghs_abcdefghijklmnopqrstuvwxyz0123',
    secret: '16C7e42F292c6912E7710c838347Ae178B4a',
  },
  {
    kind: 'github_token',
    text: 'token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
    secret: '11ABCDEFG0123456789_abcdefghij',
  },
  {
    kind: 'slack_token',
    text: 'SLACK xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    secret: '1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  },
  {
    kind: 'slack_webhook',
    text: 'curl https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX -d x',
    secret: 'T00000000/B00000000',
  },
  {
    kind: 'private_key',
    text: 'here:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAzQ1x2y3z\nQWERTYuiop1234==\n-----END RSA PRIVATE KEY-----\ndone',
    secret: 'MIIEowIBAAKCAQEAzQ1x2y3z',
  },
  {
    kind: 'jwt',
    text: 'jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    secret: 'dozjgNryP4J3jVmNHl0w5N',
  },
  {
    kind: 'bearer',
    text: 'curl -H "Authorization: Bearer abc123def456ghi789jkl012" https://api',
    secret: 'abc123def456ghi789jkl012',
  },
  {
    kind: 'bearer',
    text: 'curl -H "authorization: bEaReR zyx987wvu654tsr321qpo000" https://api',
    secret: 'zyx987wvu654tsr321qpo000',
  },
  { kind: 'assignment', text: 'DB_PASSWORD=hunter2secret ./run', secret: 'hunter2secret' },
  { kind: 'assignment', text: '{"api_key": "k3y-value-123456", "n": 1}', secret: 'k3y-value-123456' },
  { kind: 'assignment', text: 'secret: s3cr3t-val-yaml', secret: 's3cr3t-val-yaml' },
  { kind: 'assignment', text: 'url?token=tok_abcdef123&x=1', secret: 'tok_abcdef123' },
  { kind: 'assignment', text: "export GITHUB_TOKEN='pa55w0rd-in-env'", secret: 'pa55w0rd-in-env' },
  {
    kind: 'url_credentials',
    text: 'DATABASE_URL postgres://admin:Sup3rS3cretPw@db.example.com:5432/app',
    secret: 'Sup3rS3cretPw',
  },
];

describe('redact()', () => {
  it.each(SECRETS)('masks $kind: $text', ({ kind, text, secret }) => {
    const out = redact(text, 'redacted')!;
    expect(out).not.toContain(secret);
    expect(out).toContain(`[REDACTED:${kind}]`);
    expect(redact(text, 'full')).toBe(text);
    expect(redact(text, 'metadata')).toBeNull();
  });

  it('leaves ordinary text alone', () => {
    const text =
      'input_tokens: 15005, max_tokens: 32000; the token count grew. See https://example.com/a@b and key: value';
    expect(redact(text, 'redacted')).toBe(text);
    expect(redact('const token = process.env.GITHUB_TOKEN', 'redacted')).toBe('const token = process.env.GITHUB_TOKEN');
  });
});

/** Every place a secret can be written in a transcript line. */
function plantedLines(text: string): Record<string, unknown>[] {
  return [
    userPrompt(`please use ${text}`),
    assistantText(`I will run: ${text}`),
    toolUse('Bash', { command: `echo "${text}"`, description: 'print' }),
    toolUse('Write', { file_path: '/tmp/.env', content: `A=1\n${text}\n`, nested: { deeper: [text] } }),
    toolResult(`stdout: ${text}`),
    toolResult([{ type: 'text', text: `result ${text}` }], true, `Error: ${text}`),
    envelope({ type: 'queue-operation', operation: 'enqueue', content: text }),
    envelope({
      type: 'system',
      subtype: 'local_command',
      content: `<local-command-stdout>${text}</local-command-stdout>`,
      level: 'info',
    }),
    envelope({ type: 'summary', summary: text, leafUuid: 'x' }),
    envelope({
      type: 'assistant',
      isApiErrorMessage: true,
      message: { model: '<synthetic>', id: 'm', content: [{ type: 'text', text: `API Error: 500 ${text}` }] },
    }),
  ];
}

function eventsOf(lines: Record<string, unknown>[], privacy: PrivacyMode): CctapEvent[] {
  return lines.flatMap((l, i) => {
    const r = normalizeLine(bytesOf(l), lineCtx(privacy, { offset: i * 1000 }));
    if ('failure' in r) throw new Error(r.detail);
    return r.events;
  });
}

describe('privacy modes over every string field', () => {
  it.each(SECRETS)('redacted: $kind survives in no event', ({ text, secret }) => {
    const events = eventsOf(plantedLines(text), 'redacted');
    expect(events.length).toBeGreaterThanOrEqual(10);
    expect(JSON.stringify(events)).not.toContain(secret);
    const malformed = malformedEvent(encoder.encode(`{"broken": "${text}`), 'invalid_json', lineCtx('redacted'));
    expect(JSON.stringify(malformed)).not.toContain(secret);
  });

  it('metadata: a unique marker planted everywhere appears nowhere', () => {
    const marker = 'ZQX-UNIQUE-MARKER-7731';
    const events = eventsOf(
      [
        ...plantedLines(marker),
        envelope({ type: 'user', isMeta: true, message: { role: 'user', content: marker } }),
        envelope({ type: 'user', isCompactSummary: true, message: { role: 'user', content: marker } }),
        envelope({ type: 'custom-title', customTitle: marker }),
        envelope({
          type: 'system',
          subtype: 'api_error',
          level: 'error',
          error: { status: 529, error: { error: { type: 'overloaded_error', message: marker } } },
          retryAttempt: 1,
          maxRetries: 10,
          retryInMs: 500,
        }),
        envelope({
          type: 'assistant',
          isApiErrorMessage: true,
          message: {
            model: '<synthetic>',
            content: [{ type: 'text', text: `Claude AI usage limit reached|1760000000 ${marker}` }],
          },
        }),
      ],
      'metadata',
    );
    expect(JSON.stringify(events)).not.toContain(marker);
    const malformed = malformedEvent(encoder.encode(`not json ${marker}`), 'invalid_json', lineCtx('metadata'));
    expect(JSON.stringify(malformed)).not.toContain(marker);
    // Names, counts and structure stay.
    const call = events.find((e) => e.type === 'tool.call' && e.payload.name === 'Bash');
    expect(call?.type === 'tool.call' && call.payload.input).toBeNull();
    const prompt = events.find((e) => e.type === 'prompt');
    expect(prompt?.type === 'prompt' && prompt.payload.chars).toBe(`please use ${marker}`.length);
  });

  it('full: prompt, text, command and output keep the secret as written', () => {
    const { text } = SECRETS[0]!;
    const events = eventsOf(plantedLines(text), 'full');
    const payloads = events.map((e) => e.payload as Record<string, unknown>);
    expect(payloads.find((p) => p.kind === 'human')?.text).toBe(`please use ${text}`);
    expect(payloads.find((p) => typeof p.model === 'string')?.text).toBe(`I will run: ${text}`);
    expect(payloads.find((p) => p.command)?.command).toBe(`echo "${text}"`);
    expect(payloads.find((p) => p.output)?.output).toBe(`stdout: ${text}`);
  });
});
