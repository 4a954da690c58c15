/**
 * Session snapshots written before they were versioned (v1): one flat object per session holding every
 * detector's fields. Migrated field by field into the v2 document (snapshot.ts); the v1 shape is frozen, so
 * this file only changes if a v2 slice changes its form (then a v3 and a migration from v2 are due instead).
 *
 * Response keys: v1 keyed a response `<messageId>|<requestId or ''>`, or `line|<event id>` without a message
 * id; they are rewritten to the shared rule's keys (@cctap/events responseKey) so that a late line of a
 * response counted before the upgrade is still recognised. A line without a message id is keyed by its line
 * uuid now, unknown in v1: such a response (rare: gateways) counted before the upgrade and replayed after it
 * would count again. v1 kept no line time: a migrated response keeps its line on a tie, as v1 did.
 */
import { responseKey } from '@cctap/events';
import type { SessionSnapshot } from './snapshot.js';

type V1 = Record<string, unknown>;

const CORE_FIELDS = [
  'key',
  'host',
  'user',
  'sessionId',
  'project',
  'gitBranch',
  'cwd',
  'ccVersion',
  'firstEventId',
  'startTs',
  'lastActivityTs',
  'lastActivityEventId',
  'lastArrivalMs',
  'status',
  'endedAtMs',
  'appliedSeq',
  'fileOffsets',
  'summaryRevision',
  'summaryDirty',
  'lastSummaryAtMs',
] as const;

export function migrateSessionV1(v1: V1): SessionSnapshot {
  const sessionId = v1.sessionId as string;
  const entries = (m: unknown) => [...((m as Map<string, unknown> | undefined) ?? new Map<string, unknown>())];
  const responses = entries(v1.responses).map(([k, e]) => [rekeyResponse(k, sessionId), { ...(e as object), ts: 0 }]);
  return {
    version: 2,
    session: Object.fromEntries(CORE_FIELDS.map((f) => [f, v1[f]])) as SessionSnapshot['session'],
    detectors: {
      subagents: { agents: v1.agents, inline: v1.inlineSubagents },
      turns: { turn: v1.turn, turnSeq: v1.turnSeq, turns: v1.turns, prompts: v1.prompts },
      usage: {
        responses,
        assistantMessages: v1.assistantMessages,
        tokens: v1.tokens,
        costUsd: v1.costUsd,
        unpricedResponses: v1.unpricedResponses,
        models: v1.models,
      },
      context: { context: v1.context, armed: v1.contextArmed, compactions: v1.compactions },
      toolSpans: {
        pending: v1.pending,
        early: entries(v1.early),
        closed: entries(v1.closed),
        tools: v1.tools,
        toolDurations: v1.toolDurations,
        toolCalls: v1.toolCalls,
        toolErrors: v1.toolErrors,
        orphaned: v1.orphaned,
      },
      loops: entries(v1.loops),
      errorBurst: { errors: v1.errors, apiErrors: v1.apiErrors },
      denialsRefusals: {
        ...(v1.denials === undefined ? {} : { denials: v1.denials }),
        ...(v1.refusals === undefined ? {} : { refusals: v1.refusals }),
      },
      sequence: {
        lanes: v1.lanes,
        bigrams: v1.bigrams,
        trigrams: v1.trigrams,
        transitions: v1.transitions,
        gaps: v1.gaps,
      },
      anomaly: { reported: v1.anomalies, baselineRecorded: v1.baselineRecorded },
    },
  };
}

function rekeyResponse(v1Key: string, sessionId: string): string {
  if (v1Key.startsWith('line|'))
    return responseKey({
      sessionId,
      id: v1Key.slice(5),
      lineUuid: null,
      payload: { messageId: null, requestId: null },
    });
  const bar = v1Key.lastIndexOf('|');
  const requestId = v1Key.slice(bar + 1);
  return responseKey({
    sessionId,
    id: '',
    lineUuid: null,
    payload: { messageId: v1Key.slice(0, bar), requestId: requestId === '' ? null : requestId },
  });
}
