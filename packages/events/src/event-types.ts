/** Every normalized event type, in one closed list. `unknown` keeps line types no known release writes. */
export const EVENT_TYPES = [
  'prompt',
  'assistant',
  'tool.call',
  'tool.result',
  'api.error',
  'rate_limit',
  'compaction',
  'interrupt',
  'denial',
  'refusal',
  'system',
  'meta',
  'unknown',
  'malformed',
  'heartbeat',
  'quota',
  'guard',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** How a tool call failed, when it did (transcript-format.md section 4.3). */
export const TOOL_ERROR_CLASSES = [
  'tool_error',
  'permission_denied',
  'user_rejected',
  'interrupted',
  'input_validation',
] as const;
export type ToolErrorClass = (typeof TOOL_ERROR_CLASSES)[number];

/**
 * Why a tool call was denied (`toolDenialKind` on the `user` line carrying its result, Claude Code 2.1.193+):
 * declined at the prompt, a deny rule / permission mode / hook, or the auto-mode classifier (blocked, not
 * reachable, unreadable answer). The writer's `interrupted` and `cancelled` are aborts, not denials.
 */
export const DENIAL_KINDS = [
  'user-rejected',
  'permission-rule',
  'automode-blocked',
  'automode-unavailable',
  'automode-parsing-error',
] as const;
export type DenialKind = (typeof DENIAL_KINDS)[number];

/** Why a line could not be parsed at all. */
export const MALFORMED_REASONS = ['invalid_json', 'not_an_object', 'empty'] as const;
export type MalformedReason = (typeof MALFORMED_REASONS)[number];

/** Where an event's `ts` came from: the line itself, the last timestamped line before it, or the file. */
export const TS_SOURCES = ['line', 'carried', 'file'] as const;

/** Privacy modes applied on the host before anything is published (DESIGN section 4). */
export const PRIVACY_MODES = ['metadata', 'redacted', 'full'] as const;
export type PrivacyMode = (typeof PRIVACY_MODES)[number];

/**
 * What a `quota` reading measures: the subscription's 5-hour and 7-day usage windows (`rate_limits` of
 * Claude Code's status-line input, account-wide) and one session's context window (`context_window`).
 */
export const QUOTA_WINDOWS = ['five_hour', 'seven_day', 'context'] as const;
