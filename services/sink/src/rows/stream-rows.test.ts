import { stableUuid } from '@cctap/events';
import { alertSchema, derivedEventSchema, invalidRecordSchema } from '@cctap/events/internal';
import { describe, expect, it } from 'vitest';
import { toAlertRow } from './alert-row.js';
import { toDerivedRow } from './derived-row.js';
import { toInvalidRow } from './invalid-row.js';

const envelope = {
  ts: '2026-03-01T10:00:01.000Z',
  host: 'laptop-1',
  user: 'u',
  sessionId: 's',
  agentId: null,
  project: '/app',
  gitBranch: 'main',
};

describe('stream rows', () => {
  it('maps a validator rejection record, keeping the raw document', () => {
    const rec = invalidRecordSchema.parse({
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
    });
    expect(toInvalidRow(rec, 'v-123')).toEqual({
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
    // A batch rejected whole has no source range.
    expect(toInvalidRow({ ...rec, reason: 'not_json', source: null }, 'v-124')).toMatchObject({
      source_path: '',
      source_from: 0,
      source_to: 0,
    });
  });

  it('lifts the tool, duration and error of a tool span into columns', () => {
    const span = derivedEventSchema.parse({
      ...envelope,
      id: stableUuid('d', 1),
      kind: 'tool.span',
      payload: {
        toolUseId: 't',
        tool: 'Bash',
        inputHash: null,
        startTs: '2026-03-01T10:00:00.000Z',
        endTs: '2026-03-01T10:00:01.200Z',
        durationMs: 1200,
        reportedDurationMs: null,
        isError: true,
        errorClass: null,
        orphaned: false,
      },
    });
    expect(toDerivedRow(span)).toEqual({
      id: span.id,
      kind: 'tool.span',
      ts: '2026-03-01 10:00:01.000',
      host: 'laptop-1',
      user: 'u',
      session_id: 's',
      agent_id: '',
      project: '/app',
      tool_name: 'Bash',
      duration_ms: 1200,
      is_error: true,
      payload: JSON.stringify(span.payload),
    });
  });

  it('fills only the columns a kind has: a loop its tool, a session end its duration, an idle none', () => {
    const loop = derivedEventSchema.parse({
      ...envelope,
      id: stableUuid('d', 2),
      kind: 'loop.detected',
      payload: { tool: 'Read', inputHash: 'h', count: 5, windowMs: 60000, firstTs: envelope.ts, lastTs: envelope.ts },
    });
    expect(toDerivedRow(loop)).toMatchObject({ tool_name: 'Read', duration_ms: null, is_error: false });
    const end = derivedEventSchema.parse({
      ...envelope,
      id: stableUuid('d', 3),
      agentId: 'agent-1',
      kind: 'session.end',
      payload: { reason: 'timeout', startTs: envelope.ts, lastActivityTs: envelope.ts, durationMs: 42 },
    });
    expect(toDerivedRow(end)).toMatchObject({ agent_id: 'agent-1', tool_name: '', duration_ms: 42, is_error: false });
    const idle = derivedEventSchema.parse({
      ...envelope,
      id: stableUuid('d', 4),
      kind: 'session.idle',
      payload: { lastActivityTs: envelope.ts, idleMs: 600000 },
    });
    expect(toDerivedRow(idle)).toMatchObject({ tool_name: '', duration_ms: null, is_error: false });
  });

  it('maps an alert notification: ts is when it started, updated_at when this notification was decided', () => {
    const alert = alertSchema.parse({
      v: 1,
      id: stableUuid('alert', 1),
      key: 'k',
      rule: 'dangerous-command',
      severity: 'critical',
      status: 'firing',
      seq: 1,
      summary: 'rm -rf /',
      description: null,
      labels: {},
      host: null,
      user: 'u',
      project: null,
      sessionId: 's',
      startsAt: '2026-03-01T09:00:00.000Z',
      endsAt: null,
      updatedAt: '2026-03-01T09:05:00.000Z',
      occurrences: 1,
      evidence: {
        eventId: null,
        eventType: null,
        ts: null,
        command: null,
        filePath: null,
        findings: [],
        value: null,
        threshold: null,
      },
    });
    expect(toAlertRow(alert)).toEqual({
      id: alert.id,
      rule: 'dangerous-command',
      severity: 'critical',
      status: 'firing',
      ts: '2026-03-01 09:00:00.000',
      host: '',
      user: 'u',
      session_id: 's',
      summary: 'rm -rf /',
      payload: JSON.stringify(alert),
      updated_at: '2026-03-01 09:05:00.000',
    });
    // The privacy mode can keep no text at all: an empty summary, not a failed row.
    expect(toAlertRow({ ...alert, summary: null }).summary).toBe('');
  });
});
