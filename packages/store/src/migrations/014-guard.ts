import type { Migration } from './migration.js';

/**
 * guard_decisions: the `guard` events (one per decision of `cctap guard`, Claude Code's PreToolUse hook,
 * published by the collector from the guard's decisions file), one row per decision with its fields as
 * columns, so what was blocked, where and for whom is one query away:
 *   SELECT ts, host, user, rule, match FROM guard_decisions WHERE decision = 'deny' ORDER BY ts DESC
 * A plain view over `events` FINAL (exact under redelivered copies, like the other views). `decision` is
 * deny, ask, or allow (no rule objected); `error` is set when the guard could not judge the call.
 */
export const migration: Migration = {
  version: 14,
  name: 'guard',
  statements: () => [
    `CREATE OR REPLACE VIEW guard_decisions AS
    SELECT ts, host, user, session_id, project, id,
      JSONExtractString(payload, 'decision') AS decision,
      JSONExtract(payload, 'rule', 'Nullable(String)') AS rule,
      JSONExtract(payload, 'findings', 'Array(String)') AS findings,
      JSONExtract(payload, 'match', 'Nullable(String)') AS match,
      JSONExtract(payload, 'reason', 'Nullable(String)') AS reason,
      JSONExtractString(payload, 'tool') AS tool,
      JSONExtractString(payload, 'toolUseId') AS tool_use_id,
      JSONExtractString(payload, 'permissionMode') AS permission_mode,
      JSONExtract(payload, 'error', 'Nullable(String)') AS error,
      toBool(JSONExtractBool(payload, 'failClosed')) AS fail_closed
    FROM events FINAL WHERE type = 'guard'`,
  ],
};
