/**
 * Analyzer settings. Every threshold has a default that works for one team; all are overridable from the
 * CLI (`cctap analyzer --set key=value`) and from `createAnalyzer({ config })`.
 */
import { z } from 'zod';

const ms = z.number().int().nonnegative();
const MIN = 60_000;

export const analyzerConfigSchema = z.strictObject({
  /** No activity for this long: session.idle. */
  idleMs: ms.default(5 * MIN),
  /** No activity for this long: session.end (a late line reopens it). */
  endMs: ms.default(30 * MIN),
  /** The assistant ended its turn and nothing happened for this long: waiting.input. */
  waitingMs: ms.default(2 * MIN),
  /** Timeouts fire only once no event of the session has arrived for this long (clock time): a backfill
   *  that replays a main file before its subagent files does not end and reopen every session. */
  settleMs: ms.default(30_000),
  /** An ended session's state is kept this long (clock time) for late lines, then dropped. */
  retainEndedMs: ms.default(10 * MIN),
  /** Periodic session.summary updates for sessions that changed. */
  summaryIntervalMs: ms.default(MIN),
  /** How often the service runs timeouts (tick). */
  tickMs: ms.default(1000),

  contextThreshold: z.number().positive().max(1).default(0.8),
  /** Window for models not in `contextWindows`; also caps the price table (see core/context-window.ts). */
  defaultContextWindow: z.number().int().positive().default(200_000),
  contextWindows: z.record(z.string(), z.number().int().positive()).default({}),

  loopCount: z.number().int().min(2).default(5),
  loopWindowMs: ms.default(10 * MIN),
  errorBurstCount: z.number().int().min(2).default(5),
  errorBurstWindowMs: ms.default(2 * MIN),

  anomalyZ: z.number().positive().default(3.5),
  /** No anomaly verdict before a user has this many finished sessions. */
  anomalyMinBaseline: z.number().int().min(1).default(5),
  /** Past sessions kept per user. */
  baselineSize: z.number().int().min(1).default(50),
  /** A session shorter than this has no meaningful token rate. */
  anomalyMinDurationMs: ms.default(5 * MIN),
  /** A session with fewer tool calls has no meaningful error rate. */
  anomalyMinToolCalls: z.number().int().min(1).default(10),
  /** Users whose baselines are kept (least recently active dropped beyond). */
  maxUsers: z.number().int().positive().default(5000),

  /** Live sessions kept in memory; the least recently active one is ended ('evicted') beyond. */
  maxSessions: z.number().int().positive().default(10_000),
  /** Recently seen event ids remembered to ignore redelivered duplicates. */
  seenIdsCapacity: z.number().int().positive().default(100_000),
  /** API responses remembered per session for the max-per-response rule (older ones are settled). */
  maxResponsesPerSession: z.number().int().positive().default(2048),

  /** Tool label values kept in metrics (first N distinct tools seen); the rest are 'other'. */
  metricsTopTools: z.number().int().positive().default(25),
  /** Per-project / per-user business metrics: off by default, capped when on. */
  metricsByProject: z.boolean().default(false),
  metricsByUser: z.boolean().default(false),
  metricsLabelCap: z.number().int().positive().default(50),
});

export type AnalyzerConfig = z.infer<typeof analyzerConfigSchema>;
export type AnalyzerConfigInput = z.input<typeof analyzerConfigSchema>;

export function resolveConfig(input: AnalyzerConfigInput = {}): AnalyzerConfig {
  return analyzerConfigSchema.parse(input);
}
