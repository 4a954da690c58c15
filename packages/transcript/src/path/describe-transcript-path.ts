/**
 * What a transcript's location says about it (transcript-format.md sections 1.1 and 6):
 *
 *   <slug>/<session>.jsonl                              main      (session = file stem)
 *   <slug>/<session>/subagents/agent-<id>.jsonl         2.1.x     (session = parent folder, agent = <id>)
 *   <slug>/agent-<id>.jsonl                             2.0.x     (agent = <id>; the session is only in the lines)
 *   <slug>/<session>/subagents/workflows/<run>/agent-<id>.jsonl   2.1.167+ workflow agent (run = wf_…)
 *   <slug>/<session>/subagents/workflows/<run>/journal.jsonl      the run's journal (not a transcript)
 *
 * Lines carry their own sessionId and agentId; these values are the fallback for lines that do not
 * (file-history-snapshot, summary). For a flat 2.0.x file the fallback session id is the file stem.
 * The project slug folder is returned as a path only: it is lossy and never decoded into a project.
 */
export interface TranscriptPathInfo {
  sessionId: string;
  agentId: string | null;
  layout: 'main' | 'subagent-nested' | 'subagent-flat' | 'workflow-agent' | 'workflow-journal';
  projectDir: string;
  /** The workflow run (`wf_<8hex>-<3hex>`) a workflow agent or journal belongs to; null elsewhere. */
  workflowRunId: string | null;
}

const AGENT_FILE = /^agent-(.+)\.jsonl$/;

export function describeTranscriptPath(path: string): TranscriptPathInfo {
  const parts = path.split(/[\\/]/);
  const base = parts[parts.length - 1] ?? '';
  const stem = base.endsWith('.jsonl') ? base.slice(0, -'.jsonl'.length) : base;
  const dirOf = (n: number) => parts.slice(0, Math.max(0, parts.length - n)).join('/') || '/';
  const agent = AGENT_FILE.exec(base);
  const inWorkflowRun =
    parts.length >= 6 && parts[parts.length - 3] === 'workflows' && parts[parts.length - 4] === 'subagents';
  if (inWorkflowRun && (agent || base === 'journal.jsonl')) {
    return {
      sessionId: parts[parts.length - 5]!,
      agentId: agent ? agent[1]! : null,
      layout: agent ? 'workflow-agent' : 'workflow-journal',
      projectDir: dirOf(5),
      workflowRunId: parts[parts.length - 2]!,
    };
  }
  if (agent) {
    if (parts.length >= 3 && parts[parts.length - 2] === 'subagents') {
      return {
        sessionId: parts[parts.length - 3] ?? stem,
        agentId: agent[1]!,
        layout: 'subagent-nested',
        projectDir: dirOf(3),
        workflowRunId: null,
      };
    }
    return { sessionId: stem, agentId: agent[1]!, layout: 'subagent-flat', projectDir: dirOf(1), workflowRunId: null };
  }
  return { sessionId: stem, agentId: null, layout: 'main', projectDir: dirOf(1), workflowRunId: null };
}

let cachedPath: string | null = null;
let cachedInfo: TranscriptPathInfo | null = null;

/** describeTranscriptPath with a one-entry cache: a stream asks for the same path on every line. */
export function pathInfoCached(path: string): TranscriptPathInfo {
  if (cachedPath !== path || cachedInfo === null) {
    cachedInfo = describeTranscriptPath(path);
    cachedPath = path;
  }
  return cachedInfo;
}
