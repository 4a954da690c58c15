import { describe, expect, it } from 'vitest';
import { assistant } from '../testing/sample-events.js';
import { toEventRow } from './event-row.js';
import { toUsageRows } from './usage-row.js';

const toUsageRow = (e: Parameters<typeof toUsageRows>[0]) => {
  const rows = toUsageRows(e);
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0] ?? null;
};

describe('toUsageRows', () => {
  it('maps a real response with its four token kinds, total and the facts pricing needs', () => {
    const row = toUsageRow(
      assistant({
        offset: 0,
        ts: '2026-02-12T16:02:27.718Z',
        messageId: 'msg_1',
        requestId: 'req_1',
        input: 3,
        output: 7,
        cacheCreation: 100,
        cacheRead: 1000,
        cacheCreation5m: 40,
        cacheCreation1h: 60,
        webSearchRequests: 2,
        speed: 'fast',
        inferenceGeo: 'us',
        lineUuid: 'uuid-1',
      }),
    );
    expect(row).toMatchObject({
      message_id: 'msg_1',
      request_id: 'req_1',
      scope: '',
      ts: '2026-02-12 16:02:27.718',
      input_tokens: 3,
      output_tokens: 7,
      cache_creation_tokens: 100,
      cache_read_tokens: 1000,
      total_tokens: 1110,
      cache_creation_5m_tokens: 40,
      cache_creation_1h_tokens: 60,
      web_search_requests: 2,
      speed: 'fast',
      inference_geo: 'us',
      line_uuid: 'uuid-1',
    });
  });

  it('never stores a host-side cost: the store prices every row from its book', () => {
    const row = toUsageRow(
      assistant({ offset: 0, ts: '2026-02-12T16:02:27Z', messageId: 'm', requestId: 'r', usd: 0.25 }),
    );
    expect(row).not.toHaveProperty('cost_usd');
    expect(row).not.toHaveProperty('unpriced');
  });

  it('adds one row per advisor iteration, of the advisor model, under its own scope, without fast mode', () => {
    const rows = toUsageRows(
      assistant({
        offset: 0,
        ts: '2026-02-12T16:02:27Z',
        messageId: 'msg_1',
        requestId: 'req_1',
        model: 'claude-sonnet-5-5',
        input: 5,
        output: 9,
        speed: 'fast',
        inferenceGeo: 'us',
        lineUuid: 'uuid-2',
        advisor: [
          { model: 'claude-opus-5-5', input: 100, output: 50, cacheRead: 7 },
          { model: 'claude-opus-5-5', input: 1, output: 2 },
        ],
      }),
    );
    expect(
      rows.map((r) => [
        r.model,
        r.scope,
        r.input_tokens,
        r.output_tokens,
        r.cache_read_tokens,
        r.total_tokens,
        r.speed,
        r.inference_geo,
      ]),
    ).toEqual([
      ['claude-sonnet-5-5', '', 5, 9, 0, 14, 'fast', 'us'],
      ['claude-opus-5-5', '|advisor:0', 100, 50, 7, 157, '', 'us'],
      ['claude-opus-5-5', '|advisor:1', 1, 2, 0, 3, '', 'us'],
    ]);
    expect(new Set(rows.map((r) => `${r.message_id}/${r.request_id}/${r.line_uuid}/${r.event_id}`)).size).toBe(1);
    const noRequest = toUsageRows(
      assistant({
        offset: 0,
        ts: '2026-02-12T16:02:27Z',
        messageId: 'm',
        requestId: null,
        sessionId: 's-9',
        advisor: [{ model: 'a' }],
      }),
    );
    expect(noRequest.map((r) => r.scope)).toEqual(['s-9', 's-9|advisor:0']);
  });

  it('scopes the key by session only when the request id is missing', () => {
    const row = toUsageRow(
      assistant({ offset: 0, ts: '2026-02-12T16:02:27Z', messageId: 'msg_1', requestId: null, sessionId: 's-9' }),
    );
    expect(row?.request_id).toBe('');
    expect(row?.scope).toBe('s-9');
  });

  it('never counts synthetic lines or lines without a message id', () => {
    expect(
      toUsageRow(
        assistant({ offset: 0, ts: '2026-02-12T16:02:27Z', messageId: 'msg_1', requestId: 'r', synthetic: true }),
      ),
    ).toBeNull();
    expect(
      toUsageRow(assistant({ offset: 0, ts: '2026-02-12T16:02:27Z', messageId: null, requestId: 'r' })),
    ).toBeNull();
  });
});

describe('toEventRow', () => {
  it('lifts the bounded columns and keeps the payload as JSON', () => {
    const e = assistant({ offset: 42, ts: '2026-02-12T16:02:27.7Z', messageId: 'm', requestId: 'r' });
    const row = toEventRow(e);
    expect(row).toMatchObject({
      id: e.id,
      type: 'assistant',
      ts: '2026-02-12 16:02:27.700',
      model: 'claude-sonnet-4-5-20250929',
      source_offset: 42,
      agent_id: '',
    });
    expect(row.payload).toEqual(e.payload);
  });
});
