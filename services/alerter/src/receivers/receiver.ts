/** A notification target: turns a set of alerts into one HTTP request. */
import type { Alert } from '@cctap/events';
import type { HttpRequestSpec } from './http-send.js';

export interface Receiver {
  readonly name: string;
  readonly type: 'webhook' | 'slack';
  /** Smallest gap between two requests to this receiver; alerts pending meanwhile are sent together. */
  readonly minIntervalMs: number;
  /** Largest number of alerts in one request. */
  readonly maxAlertsPerRequest: number;
  /** Per-receiver grouping and storm cap (rules/rule-schema.ts `receiverLimits`). */
  readonly limits: ReceiverLimits;
  request(alerts: readonly Alert[], idempotencyKey: string, now: number): HttpRequestSpec;
}

export interface ReceiverLimits {
  groupBy: readonly string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  cap: { alerts: number; windowMs: number; summaryIntervalMs: number };
}

/** Immediate delivery, at most 100 alert notifications per hour, summaries at most once a minute. */
export const DEFAULT_LIMITS: ReceiverLimits = {
  groupBy: [],
  groupWaitMs: 0,
  groupIntervalMs: 0,
  cap: { alerts: 100, windowMs: 3_600_000, summaryIntervalMs: 60_000 },
};
