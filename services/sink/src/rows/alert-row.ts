/**
 * The alerter's notification (packages/events alert.ts) -> one row of `alerts` (migration 003), the whole
 * notification kept as JSON. `ts` is when the alert started; `updated_at` when this notification was
 * decided (the table keeps the latest per id). Pure.
 */
import { capText, type Alert } from '@cctap/events';
import { toClickHouseTime } from '@cctap/store';
import { RAW_CAP, TEXT_CAP } from './cap-text.js';

export interface AlertRow {
  id: string;
  rule: string;
  severity: string;
  status: string;
  ts: string;
  host: string;
  user: string;
  session_id: string;
  summary: string;
  payload: string;
  updated_at: string;
}

export function toAlertRow(a: Alert): AlertRow {
  return {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    status: a.status,
    ts: toClickHouseTime(a.startsAt),
    host: a.host ?? '',
    user: a.user ?? '',
    session_id: a.sessionId ?? '',
    summary: capText(a.summary ?? '', TEXT_CAP),
    payload: capText(JSON.stringify(a), RAW_CAP),
    updated_at: toClickHouseTime(a.updatedAt),
  };
}
