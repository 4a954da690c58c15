import type { Migration } from './migration.js';

/**
 * What the tools produced (docs/activity.md), as columns of `events` so the activity report and dashboards
 * sum them without parsing payloads. Written by the sink from the optional payload fields of `tool.result`
 * (`activity`, `commit`, `pullRequest`) and of `meta` (`pullRequest` of a `pr-link` line); rows stored before
 * keep the defaults ('' and 0) until their transcripts are read again (`cctap up --reset`).
 *
 * The views over them (activity_events, activity_events_between) are (re)defined after every migration run
 * (views/activity-views.ts).
 */
export const migration: Migration = {
  version: 13,
  name: 'activity',
  statements: () => [
    `ALTER TABLE events
      ADD COLUMN IF NOT EXISTS lines_added UInt32 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS lines_removed UInt32 DEFAULT 0,
      ADD COLUMN IF NOT EXISTS file_path String DEFAULT '',
      ADD COLUMN IF NOT EXISTS file_created Bool DEFAULT false,
      ADD COLUMN IF NOT EXISTS commit_sha String DEFAULT '',
      ADD COLUMN IF NOT EXISTS pr_url String DEFAULT ''`,
  ],
};
