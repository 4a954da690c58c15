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
  request(alerts: readonly Alert[], idempotencyKey: string, now: number): HttpRequestSpec;
}
