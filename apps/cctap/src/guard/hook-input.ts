/**
 * Claude Code's PreToolUse hook input (stdin, one JSON object): `session_id`, `transcript_path`, `cwd`,
 * `permission_mode`, `hook_event_name`, `tool_name`, `tool_input` (shape per tool), `tool_use_id`. Only the
 * tool's name and input are needed to judge a call; the rest is kept for the record of the decision. An
 * input that is not one of these is an error (the caller decides what a guard that cannot judge answers).
 */

export interface HookInput {
  sessionId: string;
  transcriptPath: string;
  cwd: string;
  permissionMode: string;
  toolName: string;
  toolInput: unknown;
  toolUseId: string;
}

class HookInputError extends Error {
  override readonly name = 'HookInputError';
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export function parseHookInput(raw: string): HookInput {
  if (raw.trim() === '') throw new HookInputError('no hook input on stdin (Claude Code writes the tool call as JSON)');
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new HookInputError('the hook input on stdin is not JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new HookInputError('the hook input is not an object');
  const o = doc as Record<string, unknown>;
  if (o.hook_event_name !== undefined && o.hook_event_name !== 'PreToolUse')
    throw new HookInputError(`cctap guard is a PreToolUse hook, it was run for ${String(o.hook_event_name)}`);
  if (typeof o.tool_name !== 'string' || o.tool_name === '')
    throw new HookInputError('the hook input has no tool_name: not a PreToolUse call');
  if (o.tool_input !== undefined && (o.tool_input === null || typeof o.tool_input !== 'object'))
    throw new HookInputError('the hook input has a tool_input that is not an object');
  return {
    sessionId: text(o.session_id),
    transcriptPath: text(o.transcript_path),
    cwd: text(o.cwd),
    permissionMode: text(o.permission_mode),
    toolName: o.tool_name,
    toolInput: o.tool_input ?? {},
    toolUseId: text(o.tool_use_id),
  };
}
