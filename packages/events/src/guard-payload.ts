/**
 * A `guard` event: one decision of `cctap guard`, Claude Code's PreToolUse hook, on one tool call before it
 * ran. The guard appends each decision to a file on the developer's machine (no network on the decision
 * path); the collector tails that file and publishes one event per line, so what was blocked, where and for
 * whom is in the store (the `guard_decisions` view) and before the alerter.
 */
import { z } from 'zod';
import { id, text } from './primitives.js';

/** `allow` is a call no guard rule objected to (the guard said nothing; Claude Code's own rules applied). */
export const GUARD_DECISIONS = ['allow', 'ask', 'deny'] as const;

export const guardPayload = z.strictObject({
  decision: z.enum(GUARD_DECISIONS),
  /** The rule that denied or asked; null for allow and for a call the guard could not judge. */
  rule: id.nullable(),
  /** What the rule's detectors found: dangerous-command kinds (`rm-rf-broad`), secret paths. */
  findings: z.array(id).max(32),
  /** The command or path that matched (privacy mode applied; null in `metadata`). */
  match: text,
  /** What Claude Code was told (privacy mode applied; null in `metadata`). */
  reason: text,
  /** The tool and its call (`tool_use_id`, which the session's `tool.call` event carries too). */
  tool: id,
  toolUseId: id,
  /** The session's permission mode when the call was made (`default`, `acceptEdits`, `bypassPermissions`, …). */
  permissionMode: id,
  /** Why the guard could not judge the call (bad input, unreadable rules); null when it judged it. */
  error: text,
  /** The guard was set to block what it cannot judge. */
  failClosed: z.boolean(),
});
