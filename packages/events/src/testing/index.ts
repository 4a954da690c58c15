/**
 * Contract-valid sample events for tests and benchmarks (`@cctap/events/testing`; not part of the main entry).
 * One place knows what a complete envelope and a plausible payload of each type look like, so the factories
 * of the services only say what differs for their case, and a contract change is absorbed here once.
 */
import { eventSchema, type EventEnvelope, type EventOf, type PayloadOf } from '../event.js';
import type { EventType } from '../event-types.js';
import { eventId } from '../ids.js';

export interface SampleEnvelope extends Partial<Omit<EventEnvelope, 'source'>> {
  /** Byte offset of the sample line (also the event id's offset unless `id` is given). */
  offset?: number;
  /** File identity used for the id (default `file-1`). */
  file?: string;
  path?: string;
}

/** A complete envelope: defaults for a user `alice` on host `host-a` in `/home/alice/app`, overridable field by field. */
export function sampleEnvelope(o: SampleEnvelope = {}): EventEnvelope {
  const host = o.host ?? 'host-a';
  const offset = o.offset ?? 0;
  const project = o.project ?? o.cwd ?? '/home/alice/app';
  return {
    id: o.id ?? eventId(host, o.file ?? 'file-1', offset, 0),
    ts: o.ts ?? '2026-02-12T16:02:27.718Z',
    tsSource: o.tsSource ?? 'line',
    host,
    user: o.user ?? 'alice',
    sessionId: o.sessionId ?? 'session-1',
    agentId: o.agentId ?? null,
    sidechain: o.sidechain ?? (o.agentId ?? null) !== null,
    cwd: o.cwd ?? project,
    project,
    gitBranch: o.gitBranch ?? 'main',
    ccVersion: o.ccVersion ?? '2.1.39',
    lineUuid: o.lineUuid ?? null,
    parentUuid: o.parentUuid ?? null,
    ...(o.labels ? { labels: o.labels } : {}),
    source: { path: o.path ?? '/home/alice/.claude/projects/-home-alice-app/session-1.jsonl', offset },
  };
}

const usage = {
  input: 10,
  output: 20,
  cacheCreation: 0,
  cacheRead: 0,
  cacheCreation5m: 0,
  cacheCreation1h: 0,
  webSearchRequests: 0,
  webFetchRequests: 0,
};

/** A plausible payload of each type (what a small real session line normalizes to). */
const SAMPLE_PAYLOADS: { [T in EventType]: () => PayloadOf<T> } = {
  prompt: () => ({ kind: 'human', text: 'hello', chars: 5, images: 0, permissionMode: 'default' }),
  assistant: () => ({
    model: 'claude-sonnet-4-5',
    messageId: 'msg_1',
    requestId: 'req_1',
    stopReason: 'end_turn',
    synthetic: false,
    usage: { ...usage },
    speed: null,
    serviceTier: 'standard',
    cost: { usd: 0.01, unpriced: false, priceVersion: 'test' },
    text: 'ok',
    textChars: 2,
    thinkingBlocks: 0,
    toolUses: 0,
  }),
  'tool.call': () => ({
    toolUseId: 'toolu_1',
    name: 'Bash',
    messageId: null,
    input: { command: 'ls' },
    inputHash: 'h',
    command: 'ls',
    filePath: null,
    subagentType: null,
  }),
  'tool.result': () => ({
    toolUseId: 'toolu_1',
    isError: false,
    errorClass: null,
    output: 'ok',
    outputChars: 2,
    durationMs: 5,
    interrupted: false,
    agentId: null,
    sourceAssistantUuid: null,
  }),
  'api.error': () => ({
    final: true,
    status: 529,
    errorType: 'overloaded_error',
    message: 'Overloaded',
    retryAttempt: null,
    maxRetries: null,
    retryInMs: null,
  }),
  rate_limit: () => ({
    limitKind: 'usage_limit',
    message: 'Claude AI usage limit reached',
    resetAt: null,
    resetText: null,
  }),
  compaction: () => ({ trigger: 'auto', preTokens: 150000, micro: false, logicalParentUuid: null }),
  interrupt: () => ({ forToolUse: false }),
  denial: () => ({ toolUseId: 'toolu_1', toolName: 'Bash', kind: 'user-rejected', reason: null }),
  refusal: () => ({
    originalModel: 'claude-fable-5',
    fallbackModel: 'claude-opus-4-8',
    trigger: 'refusal',
    direction: 'retry',
    category: null,
    retractedUuids: [],
    requestId: null,
    text: null,
  }),
  system: () => ({ subtype: 'info', level: null, text: null, durationMs: null, hookCount: null, hookErrors: null }),
  meta: () => ({ lineType: 'summary', subtype: null, text: null }),
  unknown: () => ({ lineType: 'x', keys: ['type'], chars: 10 }),
  malformed: () => ({ reason: 'invalid_json', bytes: 3, preview: null }),
  heartbeat: () => ({ agentVersion: '0.1.0', startedAt: '2026-01-01T00:00:00.000Z', filesWatched: 3, bytesBehind: 0 }),
  quota: () => ({
    window: 'five_hour',
    usedPercentage: 42,
    resetsAt: '2026-01-01T05:00:00.000Z',
    windowTokens: null,
    usedTokens: null,
    model: null,
  }),
  guard: () => ({
    decision: 'deny',
    rule: 'dangerous-command',
    findings: ['rm-rf-broad'],
    match: 'rm -rf /',
    reason: "Blocked by cctap guard rule 'dangerous-command': rm-rf-broad in `rm -rf /`.",
    tool: 'Bash',
    toolUseId: 'toolu_01guard',
    permissionMode: 'default',
    error: null,
    failClosed: false,
  }),
};

/**
 * A sample event of `type`: the default payload with `payload` merged over it (shallow), the envelope from
 * `envelope`. It is parsed by the contract's schema, so a test can never rely on a shape the validator rejects.
 */
export function sampleEvent<T extends EventType>(
  type: T,
  payload: Partial<PayloadOf<T>> = {},
  envelope: SampleEnvelope = {},
): EventOf<T> {
  return eventSchema.parse({
    ...sampleEnvelope(envelope),
    type,
    payload: { ...SAMPLE_PAYLOADS[type](), ...payload },
  }) as EventOf<T>;
}

export { seedNote, testSeed } from './test-seed.js';
