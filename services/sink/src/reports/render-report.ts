/** Text rendering of the usage reports for a terminal. */
import type { BlocksReport } from './blocks-report.js';
import { PERIOD_KEY_FIELD, type PeriodReport } from './period-report.js';
import { priceBookLine } from './price-book-version.js';
import { formatCost, renderTable } from './render-table.js';

export function renderPeriodReport(r: PeriodReport): string {
  const keyField = PERIOD_KEY_FIELD[r.kind];
  const headers = [keyField, ...(r.by ? [r.by] : []), 'models', 'input', 'output', 'cache create', 'cache read', 'total tokens', 'cost'];
  const rows = r.rows.map((row) => [
    String(row[keyField]),
    ...(r.by ? [String(row[r.by])] : []),
    row.modelsUsed.join(', '),
    row.inputTokens,
    row.outputTokens,
    row.cacheCreationTokens,
    row.cacheReadTokens,
    row.totalTokens,
    formatCost(row.totalCost, row.unpricedModels),
  ]);
  const t = r.totals;
  rows.push([
    'total', ...(r.by ? [''] : []), '', t.inputTokens, t.outputTokens, t.cacheCreationTokens, t.cacheReadTokens, t.totalTokens,
    formatCost(t.totalCost, t.unpricedModels),
  ]);
  const note = t.unpricedModels ? `\nunpriced (no price known, not in cost): ${t.unpricedModels.join(', ')}` : '';
  return `${renderTable(headers, rows)}${note}\n${priceBookLine(r.priceBook)}\n(${r.kind}, ${r.tz}; one count per API response, largest line wins)`;
}

export function renderBlocksReport(r: BlocksReport): string {
  const headers = ['start', ...(r.by ? [r.by] : []), 'state', 'entries', 'models', 'total tokens', 'cost', 'tokens/min', 'projected tokens'];
  const rows = r.blocks.map((b) => [
    b.startTime.replace('T', ' ').slice(0, 16),
    ...(r.by ? [String(b[r.by])] : []),
    b.isGap ? 'gap' : b.isActive ? 'ACTIVE' : '',
    b.entries,
    b.models.join(', '),
    b.totalTokens,
    b.isGap ? '' : formatCost(b.costUSD, b.unpricedModels),
    b.burnRate ? Math.round(b.burnRate.tokensPerMinute) : null,
    b.projection ? b.projection.totalTokens : null,
  ]);
  const unpriced = [...new Set(r.blocks.flatMap((b) => b.unpricedModels ?? []))].sort();
  const note = unpriced.length > 0 ? `\nunpriced (no price known, not in cost): ${unpriced.join(', ')}` : '';
  return `${renderTable(headers, rows)}${note}\n${priceBookLine(r.priceBook)}\n(5-hour blocks, times in UTC)`;
}
