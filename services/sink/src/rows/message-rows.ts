/**
 * Messages of the invalid, derived and alerts streams -> rows. Their producers (validator, analyzer,
 * alerter) own the exact shapes; the sink keeps the whole message as JSON and lifts the fields reports
 * filter on into columns, defaulting what is missing, so a new field upstream never stops ingestion.
 * Ids: the message's own id when it has one, else a hash of its bytes, so a redelivery lands on the same key.
 * Pure.
 */
import { createHash } from 'node:crypto';
import { toClickHouseTime } from './clickhouse-time.js';
import { bool, capText, isObject, num, str, type Json } from './loose-json.js';

const RAW_CAP = 256 * 1024;

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

export interface DerivedRow {
  id: string;
  kind: string;
  ts: string;
  host: string;
  user: string;
  session_id: string;
  agent_id: string;
  project: string;
  tool_name: string;
  duration_ms: number | null;
  is_error: boolean;
  payload: string;
}

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

function contentId(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function timeOr(v: unknown, fallbackMs: number): string {
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return toClickHouseTime(v);
  return toClickHouseTime(new Date(fallbackMs).toISOString());
}

export interface MessageMeta {
  /** Host token from the subject, when the subject carries one. */
  subjectHost: string | null;
  /** Header values (Nats-Msg-Id, Cctap-Reason, …). */
  headers: Record<string, string>;
  /** When the stream stored the message (ms since epoch): a deterministic fallback time. */
  storedAtMs: number;
}

/**
 * The validator's rejection: a JSON object `{ reason, detail?, host?, source?, raw? | batch? }` or, when the
 * body is not JSON at all, the bytes themselves with the reason from the `Cctap-Reason` header.
 */
export function toInvalidRow(body: string, meta: MessageMeta): InvalidRow {
  let doc: Json = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (isObject(parsed)) doc = parsed;
  } catch {
    // Not JSON: kept whole in `raw`.
  }
  const source = isObject(doc.source) ? doc.source : {};
  const raw = typeof doc.raw === 'string' ? doc.raw : body;
  return {
    id: meta.headers['Nats-Msg-Id'] ?? contentId(body),
    received_at: timeOr(doc.receivedAt ?? doc.ts, meta.storedAtMs),
    host: str(doc.host, meta.subjectHost ?? 'unknown'),
    reason: str(doc.reason, meta.headers['Cctap-Reason'] ?? 'unknown'),
    detail: capText(
      typeof doc.detail === 'string' ? doc.detail : JSON.stringify(doc.errors ?? doc.detail ?? ''),
      16_384,
    ),
    source_path: str(source.path),
    source_from: num(source.from) ?? 0,
    source_to: num(source.to) ?? 0,
    raw: capText(raw, RAW_CAP),
  };
}

/** The analyzer's derived events: one object or `{ events: [...] }`. */
export function toDerivedRows(body: string, meta: MessageMeta): DerivedRow[] {
  const parsed: unknown = JSON.parse(body);
  const items = isObject(parsed) && Array.isArray(parsed.events) ? parsed.events : [parsed];
  return items.filter(isObject).map((d) => {
    const p = isObject(d.payload) ? d.payload : d;
    const text = JSON.stringify(d);
    return {
      id: str(d.id) || contentId(text),
      kind: str(d.kind, str(d.type, 'unknown')),
      ts: timeOr(d.ts, meta.storedAtMs),
      host: str(d.host, meta.subjectHost ?? 'unknown'),
      user: str(d.user),
      session_id: str(d.sessionId),
      agent_id: str(d.agentId),
      project: str(d.project),
      tool_name: str(p.tool, str(p.name, str(p.toolName))),
      duration_ms: num(p.durationMs),
      is_error: bool(p.isError),
      payload: capText(JSON.stringify(d.payload ?? d), RAW_CAP),
    };
  });
}

/** The alerter's alert notifications: one object (or `{ alerts: [...] }`). */
export function toAlertRows(body: string, meta: MessageMeta): AlertRow[] {
  const parsed: unknown = JSON.parse(body);
  const items = isObject(parsed) && Array.isArray(parsed.alerts) ? parsed.alerts : [parsed];
  return items.filter(isObject).map((a) => {
    const text = JSON.stringify(a);
    const ts = timeOr(a.ts ?? a.startsAt ?? a.firedAt, meta.storedAtMs);
    return {
      id: str(a.id, str(a.key)) || contentId(text),
      rule: str(a.rule, 'unknown'),
      severity: str(a.severity, 'unknown'),
      status: str(a.status, 'firing'),
      ts,
      host: str(a.host),
      user: str(a.user),
      session_id: str(a.sessionId),
      summary: capText(str(a.summary, str(a.message)), 16_384),
      payload: capText(text, RAW_CAP),
      updated_at: timeOr(a.updatedAt, meta.storedAtMs),
    };
  });
}
