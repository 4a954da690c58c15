import { describe, expect, it } from 'vitest';
import { toAlertRows, toDerivedRows, toInvalidRow, type MessageMeta } from './message-rows.js';

const meta: MessageMeta = {
  subjectHost: 'laptop-1',
  headers: { 'Nats-Msg-Id': 'v-123' },
  storedAtMs: Date.parse('2026-03-01T10:00:00Z'),
};

describe('message rows', () => {
  it('maps a validator rejection record, keeping the raw document', () => {
    const row = toInvalidRow(
      JSON.stringify({
        v: 1,
        reason: 'schema',
        detail: '/events/0/type: must be equal to one of the allowed values',
        host: 'laptop-1',
        receivedAt: '2026-03-01T09:59:59.000Z',
        subject: 'cctap.raw.laptop-1',
        source: { path: '/p.jsonl', fileId: 'f', from: 10, to: 20 },
        eventId: null,
        eventType: 'weird',
        ccVersion: '9.9.9',
        raw: '{"type":"weird"}',
      }),
      meta,
    );
    expect(row).toEqual({
      id: 'v-123',
      received_at: '2026-03-01 09:59:59.000',
      host: 'laptop-1',
      reason: 'schema',
      detail: '/events/0/type: must be equal to one of the allowed values',
      source_path: '/p.jsonl',
      source_from: 10,
      source_to: 20,
      raw: '{"type":"weird"}',
    });
  });

  it('keeps a body that is not JSON at all, with the reason from the header', () => {
    const row = toInvalidRow('\u0000garbage', { ...meta, headers: { 'Cctap-Reason': 'not_json' } });
    expect(row).toMatchObject({
      reason: 'not_json',
      host: 'laptop-1',
      raw: '\u0000garbage',
      received_at: '2026-03-01 10:00:00.000',
    });
    expect(row.id).toMatch(/^[0-9a-f]{32}$/);
    // A redelivery of the same bytes gets the same id, so the ReplacingMergeTree collapses it.
    expect(toInvalidRow('\u0000garbage', { ...meta, headers: {} }).id).toBe(row.id);
  });

  it('maps derived events (one or a list) with tool span columns', () => {
    const span = {
      id: 'a1',
      kind: 'tool.span',
      ts: '2026-03-01T10:00:01.000Z',
      host: 'laptop-1',
      user: 'u',
      sessionId: 's',
      agentId: null,
      project: '/app',
      payload: { toolUseId: 't', tool: 'Bash', durationMs: 1200, isError: true },
    };
    const rows = toDerivedRows(
      JSON.stringify({ events: [span, { ...span, id: 'a2', kind: 'session.end', payload: {} }] }),
      meta,
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      id: 'a1',
      kind: 'tool.span',
      tool_name: 'Bash',
      duration_ms: 1200,
      is_error: true,
      agent_id: '',
      ts: '2026-03-01 10:00:01.000',
    });
    expect(rows[1]).toMatchObject({ kind: 'session.end', tool_name: '', duration_ms: null, is_error: false });
  });

  it('maps an alert notification', () => {
    const [row] = toAlertRows(
      JSON.stringify({
        v: 1,
        id: 'al-1',
        key: 'k',
        rule: 'dangerous-command',
        severity: 'critical',
        status: 'firing',
        summary: 'rm -rf /',
        host: null,
        user: 'u',
        sessionId: 's',
        startsAt: '2026-03-01T09:00:00.000Z',
        updatedAt: '2026-03-01T09:05:00.000Z',
      }),
      meta,
    );
    expect(row).toMatchObject({
      id: 'al-1',
      rule: 'dangerous-command',
      severity: 'critical',
      status: 'firing',
      host: '',
      ts: '2026-03-01 09:00:00.000',
      updated_at: '2026-03-01 09:05:00.000',
      summary: 'rm -rf /',
    });
  });

  it('throws on a derived or alert body that is not JSON (the sink dead-letters that message alone)', () => {
    expect(() => toDerivedRows('nope', meta)).toThrow();
    expect(() => toAlertRows('nope', meta)).toThrow();
  });
});
