/** Contract event -> one row of `events` (migrations 001 and 007). Pure. */
import type { CctapEvent } from '@cctap/events';
import { toClickHouseTime } from '@cctap/store';

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
  /** Stored as its JSON text (the store's insert settings read an object into a String column). */
  payload: object;
  source_path: string;
  source_offset: number;
  // Migration 007: optional line facts ('' / 0 when absent) and payload facts worth a column.
  entrypoint: string;
  prompt_id: string;
  origin: string;
  attribution_agent: string;
  attribution_skill: string;
  attribution_mcp_server: string;
  attribution_mcp_tool: string;
  attribution_plugin: string;
  source_tool_use_id: string;
  workflow_run_id: string;
  spawn_depth: number;
  effort: string;
  cache_miss_reason: string;
  cache_miss_tokens: number;
  denial_kind: string;
  // Migration 013: what a tool result produced (docs/activity.md).
  lines_added: number;
  lines_removed: number;
  file_path: string;
  file_created: boolean;
  commit_sha: string;
  pr_url: string;
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
    payload: e.payload,
    source_path: e.source.path,
    source_offset: e.source.offset,
    entrypoint: e.entrypoint ?? '',
    prompt_id: e.promptId ?? '',
    origin: e.origin ?? '',
    attribution_agent: e.attribution?.agent ?? '',
    attribution_skill: e.attribution?.skill ?? '',
    attribution_mcp_server: e.attribution?.mcpServer ?? '',
    attribution_mcp_tool: e.attribution?.mcpTool ?? '',
    attribution_plugin: e.attribution?.plugin ?? '',
    source_tool_use_id: e.sourceToolUseId ?? '',
    workflow_run_id: e.workflowRunId ?? '',
    // The column is UInt8; Claude Code caps nesting at 5.
    spawn_depth: Math.min(e.spawnDepth ?? 0, 255),
    effort: e.type === 'assistant' ? (e.payload.effort ?? '') : '',
    cache_miss_reason: e.type === 'assistant' ? (e.payload.cacheMiss?.reason ?? '') : '',
    cache_miss_tokens: e.type === 'assistant' ? (e.payload.cacheMiss?.missedTokens ?? 0) : 0,
    denial_kind: e.type === 'denial' ? e.payload.kind : e.type === 'tool.result' ? (e.payload.denialKind ?? '') : '',
    ...activityColumns(e),
  };
}

type ActivityColumns = Pick<
  EventRow,
  'lines_added' | 'lines_removed' | 'file_path' | 'file_created' | 'commit_sha' | 'pr_url'
>;

const NO_ACTIVITY: ActivityColumns = {
  lines_added: 0,
  lines_removed: 0,
  file_path: '',
  file_created: false,
  commit_sha: '',
  pr_url: '',
};

function activityColumns(e: CctapEvent): ActivityColumns {
  if (e.type === 'meta')
    return e.payload.pullRequest ? { ...NO_ACTIVITY, pr_url: e.payload.pullRequest.url } : NO_ACTIVITY;
  if (e.type !== 'tool.result') return NO_ACTIVITY;
  const { activity, commit, pullRequest } = e.payload;
  return {
    lines_added: activity?.linesAdded ?? 0,
    lines_removed: activity?.linesRemoved ?? 0,
    file_path: activity?.filePath ?? '',
    file_created: activity?.created ?? false,
    commit_sha: commit?.sha ?? '',
    pr_url: pullRequest?.url ?? '',
  };
}
