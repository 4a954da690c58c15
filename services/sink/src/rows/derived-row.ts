/**
 * The analyzer's derived event (packages/events derived.ts) -> one row of `derived` (migration 003): the
 * envelope, the payload as JSON, and the payload fields reports filter on lifted into columns. Each kind
 * names its own fields, so a field renamed in the contract is a compile error here, not an empty column.
 * Pure.
 */
import { capText, type DerivedEvent } from '@cctap/events';
import { toClickHouseTime } from '@cctap/store';
import { RAW_CAP } from './cap-text.js';

export interface DerivedRow {
  id: string;
  kind: string;
  ts: string;
  host: string;
  user: string;
  session_id: string;
  agent_id: string;
  project: string;
  tool_name: string;
  duration_ms: number | null;
  is_error: boolean;
  payload: string;
}

type PayloadColumns = Pick<DerivedRow, 'tool_name' | 'duration_ms' | 'is_error'>;

const NONE: PayloadColumns = { tool_name: '', duration_ms: null, is_error: false };

/** The columns a kind's payload fills; every kind is listed, so a new one does not compile until it is mapped. */
function payloadColumns(d: DerivedEvent): PayloadColumns {
  switch (d.kind) {
    case 'tool.span':
      return { tool_name: d.payload.tool, duration_ms: d.payload.durationMs, is_error: d.payload.isError };
    case 'loop.detected':
      return { ...NONE, tool_name: d.payload.tool };
    case 'session.end':
    case 'turn.complete':
    case 'session.summary':
      return { ...NONE, duration_ms: d.payload.durationMs };
    case 'session.start':
    case 'session.idle':
    case 'session.resume':
    case 'compaction':
    case 'context.high':
    case 'error.burst':
    case 'waiting.input':
    case 'anomaly':
      return NONE;
    default: {
      // A kind this sink does not know yet (a newer analyzer): kept with its envelope and payload.
      const unknown: never = d;
      void unknown;
      return NONE;
    }
  }
}

export function toDerivedRow(d: DerivedEvent): DerivedRow {
  return {
    id: d.id,
    kind: d.kind,
    ts: toClickHouseTime(d.ts),
    host: d.host,
    user: d.user,
    session_id: d.sessionId,
    agent_id: d.agentId ?? '',
    project: d.project,
    ...payloadColumns(d),
    payload: capText(JSON.stringify(d.payload), RAW_CAP),
  };
}
