/**
 * `cctap report session --detail`: the analyzer's behavioral analysis of each session (the latest
 * session.summary stored in the `sessions` view): totals, tools, the most common tool bigrams and trigrams,
 * interval statistics and state transitions.
 */
import type { DerivedEvent } from '@cctap/events';
import type { Store } from '../store/open-store.js';
import { checkTimeZone, parseDay, type ReportOptions } from './options.js';
import { formatCost, formatNumber, renderTable } from './render-table.js';

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
  const where: string[] = [];
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
     FROM sessions WHERE ${where.length ? where.join(' AND ') : '1'} ORDER BY last_activity, host, session_id`,
    params,
    { readOnly: true },
  );
  return rows.map((r) => ({
    host: r.host,
    sessionId: r.session_id,
    user: r.user,
    project: r.project,
    startedAt: r.started_at,
    lastActivity: r.last_activity,
    analysis: r.analysis ? (JSON.parse(r.analysis) as SessionSummary) : null,
  }));
}

const ms = (v: number | null): string => (v === null ? '-' : v >= 60_000 ? `${(v / 60_000).toFixed(1)} min` : v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

function renderOne(d: SessionDetail): string {
  const head = `Session ${d.sessionId}  ${d.project}  (${d.user}@${d.host})  ${d.startedAt} -> ${d.lastActivity}`;
  const a = d.analysis;
  if (!a) return `${head}\n  no analysis yet (the analyzer summarizes a session as it runs and when it ends)`;
  const t = a.totals;
  const lines = [
    head,
    `  ${a.final ? 'ended' : 'open'} after ${ms(a.durationMs)} · models ${a.models.join(', ') || '-'} · ${t.prompts} prompts · ${t.turns} turns · ${t.assistantMessages} responses · ${t.subagents} subagents · ${t.compactions} compactions`,
    `  tools ${t.toolCalls} calls, ${t.toolErrors} errors, ${t.orphanedToolCalls} unanswered · API errors ${t.apiErrors} · tokens ${formatNumber(t.tokens.total)} · cost ${formatCost(t.costUsd)}${t.unpricedResponses > 0 ? ` + ${t.unpricedResponses} unpriced responses` : ''}`,
    `  gaps between events: median ${ms(a.eventGapMs.median)}, p90 ${ms(a.eventGapMs.p90)}, max ${ms(a.eventGapMs.max)} · tool durations: median ${ms(a.toolDurationMs.median)}, p90 ${ms(a.toolDurationMs.p90)}`,
  ];
  if (a.tools.length > 0) {
    lines.push(
      renderTable(
        ['Tool', 'Calls', 'Errors', 'Median', 'p90'],
        a.tools.slice(0, 10).map((x) => [x.tool, x.calls, x.errors, ms(x.durationMs.median), ms(x.durationMs.p90)]),
      ).replace(/^/gm, '  '),
    );
  }
  const grams = (label: string, g: SessionSummary['bigrams']) =>
    g.length > 0 ? `  ${label}: ${g.slice(0, 5).map((x) => `${x.seq.join(' > ')} (${x.count})`).join(', ')}` : null;
  for (const l of [grams('common tool pairs', a.bigrams), grams('common tool triples', a.trigrams)]) if (l) lines.push(l);
  if (a.transitions.length > 0) {
    lines.push(`  transitions: ${a.transitions.slice(0, 8).map((x) => `${x.from}->${x.to} ${x.count}`).join(', ')}`);
  }
  return lines.join('\n');
}

export function renderSessionDetails(details: readonly SessionDetail[]): string {
  return details.length === 0 ? 'No sessions in this window.' : details.map(renderOne).join('\n\n');
}
