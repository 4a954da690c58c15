import { describe, expect, it } from 'vitest';
import { readUsage } from './assistant-line.js';

describe('readUsage', () => {
  it('takes cache writes from the nested split when the flat field says 0 (builds before 2.1.152)', () => {
    const u = readUsage({
      input_tokens: 3,
      output_tokens: 10,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 500,
      cache_creation: { ephemeral_5m_input_tokens: 1200, ephemeral_1h_input_tokens: 800 },
    });
    expect(u).toMatchObject({ cacheCreation: 2000, cacheCreation5m: 1200, cacheCreation1h: 800, cacheRead: 500 });
  });

  it('keeps the flat field when it is the larger (a split is only a breakdown)', () => {
    const u = readUsage({
      cache_creation_input_tokens: 900,
      cache_creation: { ephemeral_5m_input_tokens: 900, ephemeral_1h_input_tokens: 0 },
    });
    expect(u.cacheCreation).toBe(900);
    expect(readUsage({ cache_creation_input_tokens: 40 }).cacheCreation).toBe(40);
    expect(readUsage(null)).toMatchObject({ input: 0, output: 0, cacheCreation: 0, cacheRead: 0 });
  });
});
