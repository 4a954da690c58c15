/**
 * Live state of one session. Plain data (Maps, Sets, numbers) so a snapshot is one JSON document per
 * session (see snapshot-codec.ts). Timestamps are epoch ms of event time unless named `…Ms` (clock time).
 */
import type { DenialKind, ToolErrorClass } from '@cctap/events';
import { emptyWindow, type EpisodeWindow } from '../detectors/episode-window.js';

export interface TokenTotals {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  total: number;
}

export const zeroTokens = (): TokenTotals => ({ input: 0, output: 0, cacheCreation: 0, cacheRead: 0, total: 0 });

/** The largest line seen so far of one API response (message id + request id). */
export interface ResponseEntry extends TokenTotals {
  usd: number | null;
}

export interface PendingCall {
  tool: string;
  inputHash: string | null;
  startTs: number;
  agentId: string | null;
  callEventId: string;
}

/** A result that arrived before its call (another file, or out of order). */
export interface EarlyResult {
  endTs: number;
  isError: boolean;
  errorClass: ToolErrorClass | null;
  reportedDurationMs: number | null;
  agentId: string | null;
}

export interface TurnState {
  index: number;
  promptEventId: string;
  startTs: number;
  lastTs: number;
  /** ts of the main lane's final answer (assistant text, no tool use, nothing pending); null while working. */
  finalTs: number | null;
  waitingFired: boolean;
  toolCalls: number;
  toolErrors: number;
  assistantMessages: number;
  tokens: TokenTotals;
  costUsd: number;
  unpriced: boolean;
}

/** One ordered stream of a session: the main conversation, or one subagent. */
export interface LaneState {
  lastTs: number | null;
  lastSym: string | null;
  lastMessageId: string | null;
  prevTool: string | null;
  prevPrevTool: string | null;
}

export interface ToolStats {
  calls: number;
  errors: number;
  durations: number[];
}

export type SessionStatus = 'active' | 'idle' | 'ended';

export interface SessionState extends SessionIdentity {
  key: string;
  firstEventId: string;
  startTs: number;
  lastActivityTs: number;
  lastActivityEventId: string;
  lastArrivalMs: number;
  status: SessionStatus;
  endedAtMs: number | null;
  /** Highest stream sequence applied to this session (redeliveries at or below it are skipped). */
  appliedSeq: number;
  /** Per transcript file: the line offset applied last, the ids of that line's events applied so far, and
   *  the latest line time applied from the file (absent in snapshots written before it was kept). Lines
   *  below it that are not newer, or those ids again, are copies (a collector re-reading after a crash, a
   *  republish): skipped, even after a restart, when the in-memory recent-id set is empty. A newer line
   *  below it is a rewritten file's (engine.ts copiedLine). */
  fileOffsets: Map<string, { offset: number; ids: string[]; ts?: number }>;

  prompts: number;
  turns: number;
  assistantMessages: number;
  toolCalls: number;
  toolErrors: number;
  apiErrors: number;
  compactions: number;
  orphaned: number;
  agents: Set<string>;
  inlineSubagents: number;
  tokens: TokenTotals;
  costUsd: number;
  unpricedResponses: number;
  models: Set<string>;
  responses: Map<string, ResponseEntry>;
  /** Denied tool calls by kind; absent until the first (and in snapshots from before denials were counted). */
  denials?: Record<DenialKind, number>;
  /** Refusals by `originalModel \u001f fallbackModel`; absent until the first. */
  refusals?: Map<string, number>;

  pending: Map<string, PendingCall>;
  early: Map<string, EarlyResult>;
  /** toolUseIds whose span was emitted (bounded): null when answered, the call when reported orphaned. */
  closed: Map<string, PendingCall | null>;

  context: { ts: number; tokens: number; model: string } | null;
  contextArmed: boolean;
  loops: Map<string, EpisodeWindow>;
  errors: EpisodeWindow;

  turn: TurnState | null;
  turnSeq: number;
  lanes: Map<string, LaneState>;
  bigrams: Map<string, number>;
  trigrams: Map<string, number>;
  transitions: Map<string, number>;
  gaps: number[];
  toolDurations: number[];
  tools: Map<string, ToolStats>;

  summaryRevision: number;
  summaryDirty: boolean;
  lastSummaryAtMs: number;
  anomalies: string[];
  baselineRecorded: boolean;
}

export interface SessionIdentity {
  host: string;
  user: string;
  sessionId: string;
  project: string;
  gitBranch: string;
  cwd: string;
  ccVersion: string;
}

export function sessionKey(host: string, sessionId: string): string {
  return `${host}\u001f${sessionId}`;
}

export function newSession(who: SessionIdentity, firstEventId: string, ts: number, nowMs: number): SessionState {
  return {
    key: sessionKey(who.host, who.sessionId),
    ...who,
    firstEventId,
    startTs: ts,
    lastActivityTs: ts,
    lastActivityEventId: firstEventId,
    lastArrivalMs: nowMs,
    status: 'active',
    endedAtMs: null,
    appliedSeq: 0,
    fileOffsets: new Map(),
    prompts: 0,
    turns: 0,
    assistantMessages: 0,
    toolCalls: 0,
    toolErrors: 0,
    apiErrors: 0,
    compactions: 0,
    orphaned: 0,
    agents: new Set(),
    inlineSubagents: 0,
    tokens: zeroTokens(),
    costUsd: 0,
    unpricedResponses: 0,
    models: new Set(),
    responses: new Map(),
    pending: new Map(),
    early: new Map(),
    closed: new Map(),
    context: null,
    contextArmed: true,
    loops: new Map(),
    errors: emptyWindow(),
    turn: null,
    turnSeq: 0,
    lanes: new Map(),
    bigrams: new Map(),
    trigrams: new Map(),
    transitions: new Map(),
    gaps: [],
    toolDurations: [],
    tools: new Map(),
    summaryRevision: 0,
    summaryDirty: true,
    lastSummaryAtMs: nowMs,
    anomalies: [],
    baselineRecorded: false,
  };
}
