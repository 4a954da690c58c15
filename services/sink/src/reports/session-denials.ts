/**
 * Denied tool calls by kind per session, from the `denials` view (migration 007), for the session report.
 * `where` filters on `ts` (the report's day window), so a session's row counts the denials of the same days
 * as its usage.
 */
import type { Store } from '../store/open-store.js';

export async function denialsBySession(store: Store, where: string, params: Record<string, unknown>): Promise<Map<string, Record<string, number>>> {
  const rows = await store.query<{ session_id: string; kind: string; denials: number }>(
    `SELECT session_id, kind, count() AS denials FROM denials WHERE ${where} GROUP BY session_id, kind ORDER BY session_id, kind`,
    params,
    { readOnly: true },
  );
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) out.set(r.session_id, { ...out.get(r.session_id), [r.kind]: Number(r.denials) });
  return out;
}
