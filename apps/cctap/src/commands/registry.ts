/**
 * Every `cctap` sub-command, loaded lazily: `cctap collect` must not load the embedded ClickHouse engine,
 * so each command lives in its own module and is imported only when it runs.
 */
import type { CommandSpec } from '../flags/command-spec.js';
import type { SUMMARIES } from './summaries.js';

export interface Command {
  /** Its name, summary, usage and options (flags/command-spec.ts): parsing, `--help` and the README come from it. */
  spec: CommandSpec;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

type Loader = () => Promise<{ command: Command }>;

export const COMMANDS: Record<string, Loader> = {
  up: () => import('./up.js'),
  provision: () => import('./provision.js'),
  validator: () => import('./validator.js'),
  analyzer: () => import('./analyzer.js'),
  collect: () => import('./collect.js'),
  sink: () => import('./sink.js'),
  migrate: () => import('./migrate.js'),
  backup: () => import('./backup.js'),
  restore: () => import('./restore.js'),
  report: () => import('./report.js'),
  sql: () => import('./sql.js'),
  'nats-config': () => import('./nats-config.js'),
  alerter: () => import('./alerter.js'),
  alerts: () => import('./alerts.js'),
  dlq: () => import('./dlq.js'),
  prices: () => import('./prices.js'),
  statusline: () => import('./statusline.js'),
  guard: () => import('./guard.js'),
  // The same commands as the summaries `cctap help` lists (summaries.ts), checked here.
} satisfies Record<keyof typeof SUMMARIES, Loader>;
