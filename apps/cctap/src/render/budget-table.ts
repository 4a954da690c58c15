/** `cctap report budgets` as a table: one row per budget and subject, the projection and what it means. */
import { formatUsd, priceBookLine, type BudgetReport, type BudgetRow } from '@cctap/reports';
import { cell, renderBoxTable, type Colour, type Column, type TableStyle } from './box-table.js';

function statusOf(r: BudgetRow): [string, Colour] {
  if (r.spent >= r.amount) return ['OVER', 'red'];
  if (r.overrunProjected) return ['OVERRUN AHEAD', 'yellow'];
  if (r.projected === null) return ['too early', 'gray'];
  return ['ok', 'green'];
}

export function renderBudgetReport(report: BudgetReport, o: { style: TableStyle }): string {
  if (report.budgets.length === 0) return 'No budgets: add a budgets: section to the rules file (README, "Budgets").';
  const columns: Column[] = [
    { header: 'Budget' },
    { header: 'Subject', flexible: true, cut: 'start' },
    { header: 'Period' },
    { header: 'Spent', align: 'right' },
    { header: 'Amount', align: 'right' },
    { header: '%', align: 'right' },
    { header: 'Projected', align: 'right' },
    { header: 'Ends' },
    { header: 'Status' },
  ];
  const rows = report.budgets.map((r) => {
    const [status, colour] = statusOf(r);
    return [
      cell(r.budget),
      cell(r.subject ?? '-'),
      cell(`${r.period} (${r.timeZone})`),
      cell(formatUsd(r.spent)),
      cell(formatUsd(r.amount)),
      cell(`${r.percent.toFixed(1)}%`, r.percent >= 100 ? 'red' : r.percent >= 80 ? 'yellow' : undefined),
      cell(r.projected === null ? '-' : formatUsd(r.projected)),
      cell(r.periodEnd.slice(0, 16).replace('T', ' ')),
      cell(status, colour),
    ];
  });
  const forecasts = report.budgets.flatMap((r) => (r.forecast ? [r.forecast] : []));
  return [
    renderBoxTable(columns, rows, o.style),
    ...forecasts,
    "projected: spend so far / share of the period elapsed, once the budget's forecastAfter (default 10%) of it passed; ends in UTC",
    priceBookLine(report.priceBook),
  ].join('\n');
}
