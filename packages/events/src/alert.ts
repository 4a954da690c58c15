/**
 * An alert notification, as the alerter publishes it on `cctap.alerts.<severity>.<rule>` (topology.ts) and
 * sends it to webhooks. One alert = one rule + one set of group labels (its `key`); every notification of it
 * (first firing, updates, repeats, resolution) is a new message with a higher `seq`. `id` =
 * `stableUuid('alert', key, status, seq)`, so a republish after a crash is a duplicate, not a second alert.
 * Evidence never carries more than the triggering event did (the collector's privacy mode applies).
 */
import { z } from 'zod';
import { count, eventId, id, isoTs, path, text } from './primitives.js';

const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;

const alertEvidence = z.strictObject({
  eventId: eventId.nullable(),
  eventType: id.nullable(),
  ts: isoTs.nullable(),
  /** The matched shell command (as redacted on the host). */
  command: text,
  filePath: path.nullable(),
  /** What the detectors found: dangerous-command kinds, secret file paths. */
  findings: z.array(id).max(32),
  /** Threshold and absence rules: the measured value and the threshold it crossed. */
  value: z.number().nullable(),
  threshold: z.number().nullable(),
});

export const alertSchema = z.strictObject({
  v: z.literal(1),
  id: eventId,
  /** rule + group labels: stable for the alert's whole life. */
  key: id,
  rule: id,
  severity: z.enum(ALERT_SEVERITIES),
  status: z.enum(['firing', 'resolved']),
  /** Grows with each notification of this alert. */
  seq: count,
  summary: text,
  description: text,
  labels: z.record(z.string().regex(/^[A-Za-z0-9_.]{1,64}$/), id),
  host: id.nullable(),
  user: id.nullable(),
  project: path.nullable(),
  sessionId: id.nullable(),
  startsAt: isoTs,
  endsAt: isoTs.nullable(),
  /** When this notification was decided. */
  updatedAt: isoTs,
  /** Matching events (or crossings) since the alert started. */
  occurrences: count,
  evidence: alertEvidence,
});

export type Alert = z.infer<typeof alertSchema>;
