import { describe, expect, it } from 'vitest';
import { assistant } from '../testing/sample-events.js';
import { toEventRow } from './event-row.js';
import { toUsageRow } from './usage-row.js';

describe('toUsageRow', () => {
  it('maps a real response with its four token kinds, total and cost', () => {
    const row = toUsageRow(assistant({ offset: 0, ts: '2026-02-12T16:02:27.718Z', messageId: 'msg_1', requestId: 'req_1', input: 3, output: 7, cacheCreation: 100, cacheRead: 1000, usd: 0.25 }));
    expect(row).toMatchObject({
      message_id: 'msg_1', request_id: 'req_1', scope: '', ts: '2026-02-12 16:02:27.718',
      input_tokens: 3, output_tokens: 7, cache_creation_tokens: 100, cache_read_tokens: 1000, total_tokens: 1110,
      cost_usd: 0.25, unpriced: false,
    });
  });

  it('scopes the key by session only when the request id is missing', () => {
    const row = toUsageRow(assistant({ offset: 0, ts: '2026-02-12T16:02:27Z', messageId: 'msg_1', requestId: null, sessionId: 's-9' }));
    expect(row?.request_id).toBe('');
    expect(row?.scope).toBe('s-9');
  });

  it('never counts synthetic lines or lines without a message id', () => {
    expect(toUsageRow(assistant({ offset: 0, ts: '2026-02-12T16:02:27Z', messageId: 'msg_1', requestId: 'r', synthetic: true }))).toBeNull();
    expect(toUsageRow(assistant({ offset: 0, ts: '2026-02-12T16:02:27Z', messageId: null, requestId: 'r' }))).toBeNull();
  });

  it('keeps an unpriced model unpriced (null cost), never $0', () => {
    const row = toUsageRow(assistant({ offset: 0, ts: '2026-02-12T16:02:27Z', messageId: 'm', requestId: 'r', model: 'claude-future-9', usd: null }));
    expect(row?.cost_usd).toBeNull();
    expect(row?.unpriced).toBe(true);
  });
});

describe('toEventRow', () => {
  it('lifts the bounded columns and keeps the payload as JSON', () => {
    const e = assistant({ offset: 42, ts: '2026-02-12T16:02:27.7Z', messageId: 'm', requestId: 'r' });
    const row = toEventRow(e);
    expect(row).toMatchObject({ id: e.id, type: 'assistant', ts: '2026-02-12 16:02:27.700', model: 'claude-sonnet-4-5-20250929', source_offset: 42, agent_id: '' });
    expect(JSON.parse(row.payload)).toEqual(e.payload);
  });
});
