/**
 * Builds contract-valid events for tests and benchmarks: every event goes through the contract's zod schema,
 * so a test can never pass on a shape the validator would reject.
 */
import { derivedEventSchema, eventId, eventSchema, stableUuid, type CctapEvent, type DerivedEvent, type DerivedKind, type EventType } from '@cctap/events';

let offset = 0;

const PAYLOADS: Record<EventType, () => Record<string, unknown>> = {
  prompt: () => ({ kind: 'human', text: 'hello', chars: 5, images: 0, permissionMode: 'default' }),
  assistant: () => ({
    model: 'claude-sonnet-4-5', messageId: `msg_${offset}`, requestId: `req_${offset}`, stopReason: 'end_turn', synthetic: false,
    usage: { input: 10, output: 20, cacheCreation: 0, cacheRead: 0, cacheCreation5m: 0, cacheCreation1h: 0, webSearchRequests: 0, webFetchRequests: 0 },
    speed: null, serviceTier: 'standard', cost: { usd: 0.01, unpriced: false, priceVersion: 'test' }, text: 'ok', textChars: 2, thinkingBlocks: 0, toolUses: 0,
  }),
  'tool.call': () => ({ toolUseId: `toolu_${offset}`, name: 'Bash', messageId: null, input: { command: 'ls' }, inputHash: 'h', command: 'ls', filePath: null, subagentType: null }),
  'tool.result': () => ({ toolUseId: `toolu_${offset}`, isError: false, errorClass: null, output: 'ok', outputChars: 2, durationMs: 5, interrupted: false, agentId: null, sourceAssistantUuid: null }),
  'api.error': () => ({ final: true, status: 529, errorType: 'overloaded_error', message: 'Overloaded', retryAttempt: null, maxRetries: null, retryInMs: null }),
  rate_limit: () => ({ limitKind: 'usage_limit', message: 'Claude AI usage limit reached', resetAt: null, resetText: null }),
  compaction: () => ({ trigger: 'auto', preTokens: 150000, micro: false, logicalParentUuid: null }),
  interrupt: () => ({ forToolUse: false }),
  system: () => ({ subtype: 'info', level: null, text: null, durationMs: null, hookCount: null, hookErrors: null }),
  meta: () => ({ lineType: 'summary', subtype: null, text: null }),
  unknown: () => ({ lineType: 'x', keys: ['type'], chars: 10 }),
  malformed: () => ({ reason: 'invalid_json', bytes: 3, preview: null }),
  heartbeat: () => ({ agentVersion: '0.1.0', startedAt: '2026-01-01T00:00:00.000Z', filesWatched: 3, bytesBehind: 0 }),
};

export interface EnvelopeOverrides {
  ts?: string | number;
  host?: string;
  user?: string;
  sessionId?: string;
  project?: string;
}

const isoOf = (ts: string | number | undefined) => (ts === undefined ? new Date().toISOString() : typeof ts === 'number' ? new Date(ts).toISOString() : ts);

export function makeEvent<T extends EventType>(type: T, payload: Record<string, unknown> = {}, env: EnvelopeOverrides = {}): Extract<CctapEvent, { type: T }> {
  offset += 100;
  const host = env.host ?? 'dev-laptop';
  return eventSchema.parse({
    id: eventId(host, 'file1', offset, 0),
    ts: isoOf(env.ts),
    tsSource: 'line',
    host,
    user: env.user ?? 'alice',
    sessionId: env.sessionId ?? 'sess-1',
    agentId: null,
    sidechain: false,
    cwd: env.project ?? '/home/alice/proj',
    project: env.project ?? '/home/alice/proj',
    gitBranch: 'main',
    ccVersion: '2.1.39',
    lineUuid: null,
    parentUuid: null,
    source: { path: '/home/alice/.claude/projects/p/s.jsonl', offset },
    type,
    payload: { ...PAYLOADS[type](), ...payload },
  }) as Extract<CctapEvent, { type: T }>;
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
  'context.high': () => ({ model: 'claude-sonnet-4-5', contextTokens: 170000, windowTokens: 200000, ratio: 0.85, threshold: 0.8 }),
  'waiting.input': (ts) => ({ sinceTs: ts, waitedMs: 900000 }),
  'session.idle': (ts) => ({ lastActivityTs: ts, idleMs: 600000 }),
};

export function makeDerived<K extends DerivedKind>(kind: K, payload: Record<string, unknown> = {}, env: EnvelopeOverrides = {}): DerivedEvent {
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
