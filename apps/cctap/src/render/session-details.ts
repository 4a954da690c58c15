/** Terminal rendering of `cctap report session --detail` (the data: sessionDetails of @cctap/reports). */
import type { SessionDetail, SessionSummary } from '@cctap/reports';
import { formatCost, formatNumber, renderTable } from './render-table.js';

function denialsLine(d: SessionDetail): string | null {
  const kinds = Object.entries(d.denials);
  const parts: string[] = [];
  if (kinds.length > 0)
    parts.push(
      `denied tool calls ${kinds.reduce((n, [, c]) => n + c, 0)}: ${kinds.map(([k, c]) => `${k} ${c}`).join(', ')}`,
    );
  if (d.refusals.length > 0)
    parts.push(
      `model refusals: ${d.refusals.map((r) => `${r.originalModel} -> ${r.fallbackModel} (${r.count})`).join(', ')}`,
    );
  const miss = d.cacheMiss;
  if (miss.responses > 0)
    parts.push(
      `prompt-cache misses ${miss.responses} (${formatNumber(miss.tokens)} input tokens at the full rate): ${Object.entries(
        miss.byReason,
      )
        .map(([reason, r]) => `${reason} ${r.responses} (${formatNumber(r.tokens)})`)
        .join(', ')}`,
    );
  return parts.length > 0 ? `  ${parts.join(' · ')}` : null;
}

const ms = (v: number | null): string =>
  v === null
    ? '-'
    : v >= 60_000
      ? `${(v / 60_000).toFixed(1)} min`
      : v >= 1000
        ? `${(v / 1000).toFixed(1)} s`
        : `${Math.round(v)} ms`;

function renderOne(d: SessionDetail): string {
  const head = `Session ${d.sessionId}  ${d.project}  (${d.user}@${d.host})  ${d.startedAt} -> ${d.lastActivity}`;
  const a = d.analysis;
  const denied = denialsLine(d);
  if (!a)
    return [
      head,
      '  no analysis yet (the analyzer summarizes a session as it runs and when it ends)',
      ...(denied ? [denied] : []),
    ].join('\n');
  const t = a.totals;
  const lines = [
    head,
    `  ${a.final ? 'ended' : 'open'} after ${ms(a.durationMs)} · models ${a.models.join(', ') || '-'} · ${t.prompts} prompts · ${t.turns} turns · ${t.assistantMessages} responses · ${t.subagents} subagents · ${t.compactions} compactions`,
    `  tools ${t.toolCalls} calls, ${t.toolErrors} errors, ${t.orphanedToolCalls} unanswered · API errors ${t.apiErrors} · tokens ${formatNumber(t.tokens.total)} · cost ${formatCost(t.costUsd)}${t.unpricedResponses > 0 ? ` + ${t.unpricedResponses} unpriced responses` : ''}`,
    ...(denied ? [denied] : []),
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
    g.length > 0
      ? `  ${label}: ${g
          .slice(0, 5)
          .map((x) => `${x.seq.join(' > ')} (${x.count})`)
          .join(', ')}`
      : null;
  for (const l of [grams('common tool pairs', a.bigrams), grams('common tool triples', a.trigrams)])
    if (l) lines.push(l);
  if (a.transitions.length > 0) {
    lines.push(
      `  transitions: ${a.transitions
        .slice(0, 8)
        .map((x) => `${x.from}->${x.to} ${x.count}`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}

export function renderSessionDetails(details: readonly SessionDetail[]): string {
  return details.length === 0 ? 'No sessions in this window.' : details.map(renderOne).join('\n\n');
}
