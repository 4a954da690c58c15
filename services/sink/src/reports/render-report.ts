/** Text rendering of the usage reports for a terminal. */
import type { BlocksReport } from './blocks-report.js';
import { PERIOD_KEY_FIELD, type PeriodReport } from './period-report.js';
import { priceBookLine } from './price-book-version.js';
import { formatCost, renderTable } from './render-table.js';

/** The lines under a report's table: the models left out of the cost, the price book, what a row is. */
function footer(unpriced: readonly string[], priceBook: string | null, what: string): string {
  const note = unpriced.length > 0 ? `\nunpriced (no price known, not in cost): ${unpriced.join(', ')}` : '';
  return `${note}\n${priceBookLine(priceBook)}\n(${what})`;
}

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
  return `${renderTable(headers, rows)}${footer(t.unpricedModels ?? [], r.priceBook, `${r.kind}, ${r.tz}; one count per API response, largest line wins`)}`;
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
  return `${renderTable(headers, rows)}${footer(unpriced, r.priceBook, '5-hour blocks, times in UTC')}`;
}
