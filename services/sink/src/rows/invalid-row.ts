/**
 * The validator's rejection record (packages/events invalid.ts) -> one row of `invalid_events` (migration
 * 003), keeping the rejected document. The row id is the message's id, so a redelivery lands on the same
 * key. Pure.
 */
import { capText, type InvalidRecord } from '@cctap/events';
import { toClickHouseTime } from '@cctap/store';
import { RAW_CAP, TEXT_CAP } from './cap-text.js';

export interface InvalidRow {
  id: string;
  received_at: string;
  host: string;
  reason: string;
  detail: string;
  source_path: string;
  source_from: number;
  source_to: number;
  raw: string;
}

export function toInvalidRow(rec: InvalidRecord, id: string): InvalidRow {
  return {
    id,
    received_at: toClickHouseTime(rec.receivedAt),
    host: rec.host,
    reason: rec.reason,
    detail: capText(rec.detail, TEXT_CAP),
    source_path: rec.source?.path ?? '',
    source_from: rec.source?.from ?? 0,
    source_to: rec.source?.to ?? 0,
    raw: capText(rec.raw, RAW_CAP),
  };
}
