import type { Migration } from './migration.js';

/**
 * quota_readings: the `quota` events (Claude Code's status-line figures, recorded by `cctap statusline`), one
 * row per reading with the window's figures as columns, so quota use over time is one query away:
 *   SELECT ts, window, used_percentage, resets_at FROM quota_readings ORDER BY ts
 * A plain view over `events` FINAL (exact under redelivered copies, like the other views); `window` is
 * five_hour, seven_day (account-wide) or context (this session's context window, with its token counts).
 */
export const migration: Migration = {
  version: 11,
  name: 'quota',
  statements: () => [
    `CREATE OR REPLACE VIEW quota_readings AS
    SELECT ts, host, user, session_id, project, id,
      JSONExtractString(payload, 'window') AS window,
      JSONExtractFloat(payload, 'usedPercentage') AS used_percentage,
      parseDateTime64BestEffortOrNull(JSONExtractString(payload, 'resetsAt'), 3, 'UTC') AS resets_at,
      JSONExtract(payload, 'windowTokens', 'Nullable(UInt64)') AS window_tokens,
      JSONExtract(payload, 'usedTokens', 'Nullable(UInt64)') AS used_tokens,
      JSONExtractString(payload, 'model') AS model
    FROM events FINAL WHERE type = 'quota'`,
  ],
};
