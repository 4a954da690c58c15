/**
 * Why a tool call failed (transcript-format.md sections 3.1, 4.3). Claude Code records all of these as
 * `tool_result.is_error: true`; only the text tells them apart, so the phrases below are the evidence.
 */
import type { ToolErrorClass } from '@cctap/events';

/** Only the start of an output is read: the phrases are always at the beginning. */
const HEAD = 2000;

export function classifyToolError(output: string, interrupted: boolean): ToolErrorClass {
  const head = output.length > HEAD ? output.slice(0, HEAD) : output;
  if (head.includes("doesn't want to proceed with this tool use") || head.includes('tool use was rejected'))
    return 'user_rejected';
  if (interrupted || head.includes('[Request interrupted by user') || head.includes('Interrupted by user'))
    return 'interrupted';
  if (head.includes('InputValidationError') || head.includes('Invalid tool parameters')) return 'input_validation';
  if (
    head.includes('requested permissions to') ||
    head.includes("haven't granted it yet") ||
    head.includes('Permission to use')
  ) {
    return 'permission_denied';
  }
  return 'tool_error';
}
