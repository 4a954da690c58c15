import type { Migration } from './migration.js';

/**
 * The 2026 transcript format (Claude Code 2.1.40 - 2.1.332; transcript-format-2026.md).
 *
 * - events gains the optional line facts of the envelope (entrypoint, promptId, origin kind, attribution*,
 *   sourceToolUseId, workflow run, spawn depth: the envelope is stored as columns, so a fact without a
 *   column would be lost) and the payload facts worth filtering on without parsing JSON: an assistant's
 *   effort and prompt-cache miss (reason and input tokens billed at the full rate), a denial's kind. Rows of
 *   older events get the defaults ('' and 0).
 * - denials: every denied tool call with its tool, taken from the denial itself or else from its call
 *   (the result line rarely names the tool; the call always does).
 * - denials_by_kind: denied calls per session and kind.
 * - refusals: model refusals answered by a fallback model, with the retracted line uuids.
 */
export const migration: Migration = {
  version: 7,
  name: 'transcript-2026',
  statements: () => [
    `ALTER TABLE events
      ADD COLUMN IF NOT EXISTS entrypoint LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS prompt_id String DEFAULT '',
      ADD COLUMN IF NOT EXISTS origin LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS attribution_agent LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS attribution_skill LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS attribution_mcp_server LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS attribution_mcp_tool LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS attribution_plugin LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS source_tool_use_id String DEFAULT '',
      ADD COLUMN IF NOT EXISTS workflow_run_id String DEFAULT '',
      ADD COLUMN IF NOT EXISTS spawn_depth UInt8 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS effort LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS cache_miss_reason LowCardinality(String) DEFAULT '',
      ADD COLUMN IF NOT EXISTS cache_miss_tokens UInt64 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS denial_kind LowCardinality(String) DEFAULT ''`,
    `CREATE OR REPLACE VIEW denials AS
    SELECT d.host AS host, d.session_id AS session_id, d.agent_id AS agent_id, d.id AS id, d.ts AS ts, d.user AS user, d.project AS project,
      d.tool_use_id AS tool_use_id, if(d.tool_name != '', d.tool_name, ifNull(c.tool_name, '')) AS tool_name, d.kind AS kind, d.reason AS reason
    FROM (
      SELECT host, session_id, agent_id, id, ts, user, project, JSONExtractString(payload, 'toolUseId') AS tool_use_id,
        JSONExtractString(payload, 'toolName') AS tool_name, denial_kind AS kind, JSONExtractString(payload, 'reason') AS reason
      FROM events FINAL WHERE type = 'denial'
    ) AS d
    LEFT JOIN (
      SELECT host, session_id, JSONExtractString(payload, 'toolUseId') AS tool_use_id, any(tool_name) AS tool_name
      FROM events WHERE type = 'tool.call' GROUP BY host, session_id, tool_use_id
    ) AS c ON c.host = d.host AND c.session_id = d.session_id AND c.tool_use_id = d.tool_use_id
    SETTINGS join_use_nulls = 1`,
    `CREATE OR REPLACE VIEW denials_by_kind AS
    SELECT host, session_id, denial_kind AS kind, uniqExact(id) AS denials
    FROM events WHERE type = 'denial'
    GROUP BY host, session_id, kind`,
    `CREATE OR REPLACE VIEW refusals AS
    SELECT host, session_id, agent_id, id, ts, user, project,
      JSONExtractString(payload, 'originalModel') AS original_model, JSONExtractString(payload, 'fallbackModel') AS fallback_model,
      JSONExtractString(payload, 'trigger') AS trigger, JSONExtractString(payload, 'category') AS category,
      JSONExtractString(payload, 'requestId') AS request_id, arrayMap(x -> JSONExtractString(x), JSONExtractArrayRaw(payload, 'retractedUuids')) AS retracted_uuids
    FROM events FINAL WHERE type = 'refusal'`,
  ],
};
