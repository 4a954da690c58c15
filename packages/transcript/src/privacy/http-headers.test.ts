import { describe, expect, it } from 'vitest';
import { scrubHttpHeaders } from './http-headers.js';

describe('scrubHttpHeaders', () => {
  it('scrubs sensitive header values in JSON pairs and header lines, whatever their case', () => {
    expect(
      scrubHttpHeaders(
        '{"Set-Cookie":"__cf_bm=abc; path=/","content-type":"application/json","request-id":"req_1","x-ratelimit":["a","b"]}',
      ),
    ).toBe(
      '{"Set-Cookie":"[scrubbed]","content-type":"application/json","request-id":"[scrubbed]","x-ratelimit":"[scrubbed]"}',
    );
    expect(scrubHttpHeaders('529 Overloaded\nAuthorization: Bearer sk-1\r\nCF-Ray: 8f00-SJC\ncontent-length: 12')).toBe(
      '529 Overloaded\nAuthorization: [scrubbed]\r\nCF-Ray: [scrubbed]\ncontent-length: 12',
    );
    // Escaped newlines inside a JSON dump of the text count as line starts too.
    expect(scrubHttpHeaders('headers:\\nanthropic-organization-id: org-1\\nserver: cloudflare')).toBe(
      'headers:\\nanthropic-organization-id: [scrubbed]\\nserver: cloudflare',
    );
  });

  it('scrubs a value cut off by the end of the text (a preview of a line head)', () => {
    expect(scrubHttpHeaders('{"error":{"status":529,"headers":{"set-cookie":"__cf_bm=abc; pa')).toBe(
      '{"error":{"status":529,"headers":{"set-cookie":"[scrubbed]"',
    );
    expect(scrubHttpHeaders('{"headers":{"x-ids":["a","b')).toBe('{"headers":{"x-ids":"[scrubbed]"');
  });

  it('leaves text without headers alone', () => {
    for (const t of ['Overloaded', 'Error: x-api-key header is required', 'time: 12:30', ''])
      expect(scrubHttpHeaders(t)).toBe(t);
  });
});
