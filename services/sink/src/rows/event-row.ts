/** Contract event -> one row of `events` (migration 001). Pure. */
import type { CctapEvent } from '@cctap/events';
import { toClickHouseTime } from './clickhouse-time.js';

export interface EventRow {
  id: string;
  type: string;
  ts: string;
  ts_source: string;
  host: string;
  user: string;
  session_id: string;
  agent_id: string;
  sidechain: boolean;
  cwd: string;
  project: string;
  git_branch: string;
  cc_version: string;
  model: string;
  tool_name: string;
  line_uuid: string;
  parent_uuid: string;
  labels: Record<string, string>;
  payload: string;
  source_path: string;
  source_offset: number;
}

export function toEventRow(e: CctapEvent): EventRow {
  return {
    id: e.id,
    type: e.type,
    ts: toClickHouseTime(e.ts),
    ts_source: e.tsSource,
    host: e.host,
    user: e.user,
    session_id: e.sessionId,
    agent_id: e.agentId ?? '',
    sidechain: e.sidechain,
    cwd: e.cwd,
    project: e.project,
    git_branch: e.gitBranch,
    cc_version: e.ccVersion,
    model: e.type === 'assistant' ? e.payload.model : '',
    tool_name: e.type === 'tool.call' ? e.payload.name : '',
    line_uuid: e.lineUuid ?? '',
    parent_uuid: e.parentUuid ?? '',
    labels: e.labels ?? {},
    payload: JSON.stringify(e.payload),
    source_path: e.source.path,
    source_offset: e.source.offset,
  };
}
