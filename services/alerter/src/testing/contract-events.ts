/**
 * Builds contract-valid events for tests and benchmarks: every event goes through the contract's zod schema,
 * so a test can never pass on a shape the validator would reject.
 */
import {
  stableUuid,
  type CctapEvent,
  type DerivedEvent,
  type DerivedKind,
  type EventType,
  type PayloadOf,
} from '@cctap/events';
import { derivedEventSchema } from '@cctap/events/internal';
import { sampleEvent } from '@cctap/events/testing';

let offset = 0;

export interface EnvelopeOverrides {
  ts?: string | number;
  host?: string;
  user?: string;
  sessionId?: string;
  project?: string;
}

const isoOf = (ts: string | number | undefined) =>
  ts === undefined ? new Date().toISOString() : typeof ts === 'number' ? new Date(ts).toISOString() : ts;

export function makeEvent<T extends EventType>(
  type: T,
  payload: Record<string, unknown> = {},
  env: EnvelopeOverrides = {},
): Extract<CctapEvent, { type: T }> {
  offset += 100;
  // Distinct API responses and tool calls per event, as in a real session (cost rules count per response).
  const unique: Record<string, unknown> =
    type === 'assistant'
      ? { messageId: `msg_${offset}`, requestId: `req_${offset}` }
      : type === 'tool.call' || type === 'tool.result'
        ? { toolUseId: `toolu_${offset}` }
        : {};
  return sampleEvent(type, { ...unique, ...payload } as Partial<PayloadOf<T>>, {
    host: env.host ?? 'dev-laptop',
    user: env.user ?? 'alice',
    sessionId: env.sessionId ?? 'sess-1',
    project: env.project ?? '/home/alice/proj',
    ts: isoOf(env.ts),
    file: 'file1',
    offset,
    path: '/home/alice/.claude/projects/p/s.jsonl',
  });
}

/** A Bash tool call as the normalizer emits it (command both in payload.command and the input). */
export function bashCall(command: string, env: EnvelopeOverrides = {}) {
  return makeEvent('tool.call', { name: 'Bash', input: { command, description: 'x' }, command }, env);
}

export function fileCall(tool: 'Read' | 'Write' | 'Edit', filePath: string, env: EnvelopeOverrides = {}) {
  return makeEvent('tool.call', { name: tool, input: { file_path: filePath }, command: null, filePath }, env);
}

const DERIVED: Partial<Record<DerivedKind, (ts: string) => Record<string, unknown>>> = {
  'error.burst': (ts) => ({ count: 6, toolErrors: 5, apiErrors: 1, windowMs: 300000, firstTs: ts, lastTs: ts }),
  'loop.detected': (ts) => ({ tool: 'Bash', inputHash: 'h', count: 5, windowMs: 600000, firstTs: ts, lastTs: ts }),
  'context.high': () => ({
    model: 'claude-sonnet-4-5',
    contextTokens: 170000,
    windowTokens: 200000,
    ratio: 0.85,
    threshold: 0.8,
  }),
  'waiting.input': (ts) => ({ sinceTs: ts, waitedMs: 900000 }),
  'session.idle': (ts) => ({ lastActivityTs: ts, idleMs: 600000 }),
};

export function makeDerived<K extends DerivedKind>(
  kind: K,
  payload: Record<string, unknown> = {},
  env: EnvelopeOverrides = {},
): DerivedEvent {
  offset += 100;
  const ts = isoOf(env.ts);
  const base = DERIVED[kind];
  if (!base) throw new Error(`no default payload for derived kind ${kind}`);
  return derivedEventSchema.parse({
    id: stableUuid(kind, env.sessionId ?? 'sess-1', offset),
    ts,
    host: env.host ?? 'dev-laptop',
    user: env.user ?? 'alice',
    sessionId: env.sessionId ?? 'sess-1',
    agentId: null,
    project: env.project ?? '/home/alice/proj',
    gitBranch: 'main',
    kind,
    payload: { ...base(ts), ...payload },
  });
}
