/**
 * Each command's one line in `cctap help`, in the order the list shows them. Apart from the commands' declarations
 * so that the list loads no command (all of them together are about 470 modules: zod, the kit, the services, the
 * store); each declaration takes its summary from here, so the two cannot drift.
 */
export const SUMMARIES = {
  up: 'run the whole pipeline in one process on embedded defaults',
  provision: 'create or update the NATS streams, consumers and KV buckets (idempotent)',
  validator: 'validate raw batches (CCTAP_RAW) and route them to events or invalid',
  analyzer: 'analyze sessions (CCTAP_EVENTS) and publish derived events (CCTAP_DERIVED)',
  collect: "tail this machine's Claude Code transcripts into NATS JetStream",
  sink: 'write the event, invalid, derived and alert streams into ClickHouse',
  migrate: 'create or update the ClickHouse tables (idempotent)',
  backup: 'back the whole store up with ClickHouse BACKUP (restore with cctap restore)',
  restore: 'restore a cctap backup into an empty store',
  report:
    'usage reports (daily, weekly, monthly, session, blocks) by user, host, project, branch or model; spend against budgets; activity',
  sql: 'run a read-only SQL query against the store',
  'nats-config': 'generate the NATS server auth config and one credential per host and service',
  alerter: 'evaluate alert rules and notify webhook / Slack receivers',
  alerts: 'list alerts, silence them, send a test notification',
  dlq: 'list, show and replay dead letters',
  prices: 'show the price book, or update it from a public price source',
  statusline: "Claude Code's status line: model, session and daily cost, 5-hour block, context (stdin JSON)",
  guard: 'Claude Code PreToolUse hook: denies dangerous commands and secret-file access before they run',
} as const;
