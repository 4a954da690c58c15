/**
 * Denied tool calls by kind per session (migration 007's `denial_kind` column), for the session report.
 * `where` filters on `ts` (the report's day window), so a session's row counts the denials of the same days
 * as its usage. Read from `events` rather than the `denials` view: the view joins every tool call of the
 * store to name the tool, which a count does not need.
 */
import type { Store } from '@cctap/store';

export async function denialsBySession(
  store: Store,
  where: string,
  params: Record<string, unknown>,
): Promise<Map<string, Record<string, number>>> {
  const rows = await store.query<{ session_id: string; kind: string; denials: number }>(
    `SELECT session_id, denial_kind AS kind, uniqExact(id) AS denials FROM events WHERE type = 'denial' AND ${where}
     GROUP BY session_id, kind ORDER BY session_id, kind`,
    params,
    { readOnly: true, reusable: true },
  );
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) out.set(r.session_id, { ...out.get(r.session_id), [r.kind]: Number(r.denials) });
  return out;
}
