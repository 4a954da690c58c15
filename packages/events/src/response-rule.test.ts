import { describe, expect, it } from 'vitest';
import { replacesKept, responseKey, responseTokenTotal } from './response-rule.js';

const line = (
  messageId: string | null,
  requestId: string | null,
  sessionId = 's1',
  lineUuid: string | null = 'u1',
) => ({
  sessionId,
  id: 'ev1',
  lineUuid,
  payload: { messageId, requestId },
});

describe('the max rule for token usage', () => {
  it('keys a response by message and request id, by session and message id without a request id, else by line', () => {
    expect(responseKey(line('m', 'r', 's1'))).toBe(responseKey(line('m', 'r', 's2')));
    expect(responseKey(line('m', 'r'))).not.toBe(responseKey(line('m', 'r2')));
    expect(responseKey(line('m', null, 's1'))).not.toBe(responseKey(line('m', null, 's2')));
    expect(responseKey(line(null, null, 's1', 'u1'))).toBe(responseKey(line(null, null, 's2', 'u1')));
    expect(responseKey(line(null, null, 's1', null))).toBe(responseKey({ ...line(null, null), lineUuid: null }));
  });

  it('lets the larger total win, and on a tie the earlier line (as the store ranks them)', () => {
    expect(responseTokenTotal({ input: 1, output: 2, cacheCreation: 3, cacheRead: 4 })).toBe(10);
    expect(replacesKept({ totalTokens: 11, tsMs: 2e12 }, { totalTokens: 10, tsMs: 1.7e12 })).toBe(true);
    expect(replacesKept({ totalTokens: 9, tsMs: 1.7e12 }, { totalTokens: 10, tsMs: 2e12 })).toBe(false);
    expect(replacesKept({ totalTokens: 10, tsMs: 1.7e12 }, { totalTokens: 10, tsMs: 1.8e12 })).toBe(true);
    expect(replacesKept({ totalTokens: 10, tsMs: 1.8e12 }, { totalTokens: 10, tsMs: 1.8e12 })).toBe(false);
  });
});
