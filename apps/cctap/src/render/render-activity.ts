/** Terminal rendering of `cctap report activity` (the data: activityReport of @cctap/reports). */
import type { ActivityFigures, ActivityReport } from '@cctap/reports';
import { formatNumber, renderTable } from './render-table.js';

const PERIOD_HEADER = { day: 'Date', week: 'Week', month: 'Month' } as const;

/** `2h 05m`, `4m 10s`, `35s`. */
function formatActive(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function figures(f: ActivityFigures): (string | number)[] {
  return [
    f.sessions,
    f.prompts,
    f.turns,
    f.responses,
    f.toolCalls,
    f.toolErrors,
    f.denials,
    formatActive(f.activeMs),
    f.filesTouched,
    f.linesAdded,
    f.linesRemoved,
    f.commits,
    f.pullRequests,
    f.cacheMiss.tokens,
  ];
}

export function renderActivityReport(r: ActivityReport): string {
  if (r.rows.length === 0) return 'No activity in this window.';
  const headers = [
    PERIOD_HEADER[r.period],
    ...(r.by ? [r.by[0]!.toUpperCase() + r.by.slice(1)] : []),
    'Sessions',
    'Prompts',
    'Turns',
    'Responses',
    'Tool calls',
    'Errors',
    'Denials',
    'Active',
    'Files',
    '+Lines',
    '-Lines',
    'Commits',
    'PRs',
    'Cache-miss tokens',
  ];
  const rows = r.rows.map((row) => [row.period, ...(r.by ? [String(row[r.by] ?? '')] : []), ...figures(row)]);
  rows.push(['Total', ...(r.by ? [''] : []), ...figures(r.totals)]);
  const reasons = Object.entries(r.totals.cacheMiss.byReason)
    .sort((a, b) => b[1].tokens - a[1].tokens)
    .map(([reason, x]) => `${reason} ${x.responses} (${formatNumber(x.tokens)} tokens)`);
  const notes = [
    `Times in ${r.tz}. Active: gaps of at most 5 minutes between a session's events. Distinct counts (sessions, files, commits, PRs) are distinct per row and in the total.`,
    ...(reasons.length > 0 ? [`Prompt-cache misses: ${reasons.join(', ')}.`] : []),
  ];
  return `${renderTable(headers, rows)}\n\n${notes.join('\n')}`;
}
