/**
 * `cctap report session --detail`: the analyzer's behavioral analysis of each session (the latest
 * session.summary stored in the `sessions` view): totals, tools, the most common tool bigrams and trigrams,
 * interval statistics and state transitions; plus, from the stored events themselves (so they show even
 * before the analyzer summarized a session), denied tool calls by kind and model refusals (migration 007).
 */
import type { DerivedEvent } from '@cctap/events';
import type { Store } from '@cctap/store';
import { checkTimeZone, parseDay, type ReportOptions } from './options.js';
import { cacheMissesBySession, emptyCacheMiss, type CacheMiss } from './session-cache-miss.js';

export type SessionSummary = Extract<DerivedEvent, { kind: 'session.summary' }>['payload'];

export interface SessionDetail {
  host: string;
  sessionId: string;
  user: string;
  project: string;
  startedAt: string;
  lastActivity: string;
  /** null when the analyzer has not summarized the session (yet). */
  analysis: SessionSummary | null;
  /** Denied tool calls by kind (`user-rejected`, `automode-blocked`, …); only kinds that occurred. */
  denials: Record<string, number>;
  /** Model refusals answered by a fallback model, per model pair. */
  refusals: { originalModel: string; fallbackModel: string; count: number }[];
  /** Input tokens lost to prompt-cache misses, by reason (one count per API response). */
  cacheMiss: CacheMiss;
}

interface Row {
  host: string;
  session_id: string;
  user: string;
  project: string;
  started_at: string;
  last_activity: string;
  analysis: string;
}

/** Sessions whose last activity falls in the report window, oldest first. */
export async function sessionDetails(store: Store, opts: ReportOptions): Promise<SessionDetail[]> {
  const params: Record<string, unknown> = { tz: checkTimeZone(opts.tz ?? 'UTC') };
  // Heartbeats belong to a host, not to a session: their empty session id is no session.
  const where: string[] = ["session_id != ''"];
  if (opts.since) {
    params.since = parseDay(opts.since, '--since');
    where.push('toDate(last_activity, {tz:String}) >= {since:Date}');
  }
  if (opts.until) {
    params.until = parseDay(opts.until, '--until');
    where.push('toDate(last_activity, {tz:String}) <= {until:Date}');
  }
  const rows = await store.query<Row>(
    `SELECT host, session_id, user, project, toString(started_at) AS started_at, toString(last_activity) AS last_activity, analysis
     FROM sessions WHERE ${where.join(' AND ')} ORDER BY last_activity, host, session_id`,
    params,
    { readOnly: true, reusable: true },
  );
  const key = (host: string, session: string) => `${host}\u001f${session}`;
  const denials = new Map<string, Record<string, number>>();
  const refusals = new Map<string, SessionDetail['refusals']>();
  let misses = new Map<string, CacheMiss>();
  if (rows.length > 0) {
    const inSessions = `(host, session_id) IN (SELECT host, session_id FROM sessions WHERE ${where.join(' AND ')})`;
    const [byKind, pairs, missRows] = await Promise.all([
      store.query<{ host: string; session_id: string; kind: string; denials: number }>(
        `SELECT host, session_id, kind, denials FROM denials_by_kind WHERE ${inSessions} ORDER BY kind`,
        params,
        { readOnly: true, reusable: true },
      ),
      store.query<{
        host: string;
        session_id: string;
        original_model: string;
        fallback_model: string;
        refusals: number;
      }>(
        `SELECT host, session_id, original_model, fallback_model, count() AS refusals FROM refusals WHERE ${inSessions}
         GROUP BY host, session_id, original_model, fallback_model ORDER BY refusals DESC, original_model, fallback_model`,
        params,
        { readOnly: true, reusable: true },
      ),
      cacheMissesBySession(store, inSessions, params),
    ]);
    misses = missRows;
    for (const d of byKind) {
      const k = key(d.host, d.session_id);
      denials.set(k, { ...denials.get(k), [d.kind]: Number(d.denials) });
    }
    for (const p of pairs) {
      const k = key(p.host, p.session_id);
      refusals.set(k, [
        ...(refusals.get(k) ?? []),
        { originalModel: p.original_model, fallbackModel: p.fallback_model, count: Number(p.refusals) },
      ]);
    }
  }
  return rows.map((r) => ({
    host: r.host,
    sessionId: r.session_id,
    user: r.user,
    project: r.project,
    startedAt: r.started_at,
    lastActivity: r.last_activity,
    analysis: r.analysis ? (JSON.parse(r.analysis) as SessionSummary) : null,
    denials: denials.get(key(r.host, r.session_id)) ?? {},
    refusals: refusals.get(key(r.host, r.session_id)) ?? [],
    cacheMiss: misses.get(key(r.host, r.session_id)) ?? emptyCacheMiss(),
  }));
}
