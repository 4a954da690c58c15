/** Builds the contract's alert message (packages/events alert.ts) from an alert record. */
import { capText, stableUuid, type Alert } from '@cctap/events';
import type { AlertRecord } from '../state/alert-record.js';

const iso = (ms: number) => new Date(ms).toISOString();
const cap = (s: string | null, n: number) => (s === null ? null : capText(s, n));

/**
 * One notification's identity: alert key, the firing episode (`startsAt`), state and sequence. The episode is
 * part of it because a resolved alert's record is deleted once its resolution is delivered: the same key
 * firing again later starts at sequence 1, and must not look like a repeat of the earlier episode.
 */
function alertId(key: string, startsAt: number, status: string, seq: number): string {
  return stableUuid('alert', key, startsAt, status, seq);
}

/** The idempotency key of one notification: `<alert key>@<episode start, epoch ms>#<state>#<sequence>`. */
export function idempotencyKey(key: string, startsAt: number, status: string, seq: number): string {
  return `${key}@${startsAt}#${status}#${seq}`;
}

export function toAlertMessage(r: AlertRecord, now: number): Alert {
  const e = r.evidence;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.labels))
    labels[k.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 64)] = v.slice(0, 512);
  return {
    v: 1,
    id: alertId(r.key, r.startsAt, r.status, r.seq),
    key: r.key.slice(0, 512),
    rule: r.rule,
    severity: r.severity,
    status: r.status,
    seq: r.seq,
    summary: cap(r.summary, 1000),
    description: cap(r.description, 2000),
    labels,
    host: e.host,
    user: e.user,
    project: e.project,
    sessionId: e.sessionId,
    startsAt: iso(r.startsAt),
    endsAt: r.endsAt === null ? null : iso(r.endsAt),
    updatedAt: iso(now),
    occurrences: r.occurrences,
    evidence: {
      eventId: e.eventId,
      eventType: e.eventType,
      ts: e.ts,
      command: cap(e.command, 4000),
      filePath: e.filePath,
      findings: e.findings.slice(0, 32).map((f) => f.slice(0, 512)),
      value: e.value,
      threshold: e.threshold,
    },
  };
}

/** Fills `{{name}}` from labels, evidence and the value; unknown names become empty. */
export function renderTemplate(
  template: string,
  r: Pick<AlertRecord, 'labels' | 'evidence' | 'rule' | 'severity'>,
  encode: (s: string) => string = (s) => s,
): string {
  const e = r.evidence;
  const match = e.findings.length > 0 ? e.findings.join(', ') : (e.command ?? e.filePath ?? '');
  const values: Record<string, string | null> = {
    ...r.labels,
    rule: r.rule,
    severity: r.severity,
    host: r.labels.host ?? e.host,
    user: r.labels.user ?? e.user,
    sessionId: r.labels.sessionId ?? e.sessionId,
    project: r.labels.project ?? e.project,
    value: e.value === null ? '' : String(Math.round(e.value * 100) / 100),
    threshold: e.threshold === null ? '' : String(e.threshold),
    match,
  };
  return template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (_m, name: string) => encode(values[name] ?? ''));
}

/**
 * The notification a receiver gets instead of alerts its cap suppressed: one per rule, "N more alerts of rule
 * X suppressed", a contract-valid alert (status firing, `occurrences` = N) so every receiver renders it.
 */
export function suppressionSummary(
  receiver: string,
  rule: string,
  severity: Alert['severity'],
  count: number,
  batch: string,
  now: number,
): Alert {
  const key = `cctap-suppressed|${receiver}|${rule}`;
  return syntheticAlert({
    id: stableUuid('alert-summary', key, batch),
    key,
    rule,
    severity,
    summary: `${count} more alert${count === 1 ? '' : 's'} of rule ${rule} suppressed (receiver ${receiver} reached its cap; see cctap alerts list)`,
    description: null,
    labels: { rule, severity, suppressed: String(count) },
    occurrences: count,
    at: now,
  });
}

/**
 * An alert cctap itself raises (a suppression summary, a receiver test), not tied to any event: firing,
 * first of its episode, no session and no evidence.
 */
export function syntheticAlert(a: {
  id: string;
  key: string;
  rule: string;
  severity: Alert['severity'];
  summary: string;
  description: string | null;
  labels: Record<string, string>;
  occurrences: number;
  at: number;
}): Alert {
  const at = iso(a.at);
  return {
    v: 1,
    id: a.id,
    key: a.key,
    rule: a.rule,
    severity: a.severity,
    status: 'firing',
    seq: 1,
    summary: a.summary,
    description: a.description,
    labels: a.labels,
    host: null,
    user: null,
    project: null,
    sessionId: null,
    startsAt: at,
    endsAt: null,
    updatedAt: at,
    occurrences: a.occurrences,
    evidence: {
      eventId: null,
      eventType: null,
      ts: null,
      command: null,
      filePath: null,
      findings: [],
      value: null,
      threshold: null,
    },
  };
}
