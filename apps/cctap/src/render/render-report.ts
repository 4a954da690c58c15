/**
 * Text rendering of the usage reports for a terminal, in ccusage's layout: boxed tables, models one per line
 * with short names, `--breakdown` rows under each period, a yellow total row, `--instances` sections per
 * project, and a compact layout (period, models, input, output, cost) when asked or when the terminal is
 * narrower than 100 columns or the full table does not fit.
 */
import type { BlocksReport, PeriodReport, SessionEntries, TokenLimitStatus } from '@cctap/reports';
import { PERIOD_KEY_FIELD, priceBookLine, tokenLimitOf, tokenLimitStatus } from '@cctap/reports';
import {
  cell,
  fitsWithin,
  paint,
  renderBoxTable,
  type Cell,
  type Colour,
  type Column,
  type TableStyle,
} from './box-table.js';
import { modelsCell, shortModelName } from './model-name.js';
import { formatCost, formatNumber } from './render-table.js';
import type { ModelBreakdown } from '@cctap/reports';

export interface RenderOptions {
  style: TableStyle;
  /** ccusage's `--compact`. */
  compact?: boolean;
  /** ccusage's `--breakdown`: one row per model under each period. */
  breakdown?: boolean;
}

/** Below this many columns the period tables are compact, as ccusage's. */
const COMPACT_BELOW = 100;
/** Below this many columns block times are written on two lines, as ccusage's. */
const BLOCKS_COMPACT_BELOW = 120;

const FIRST_HEADER = { daily: 'Date', weekly: 'Week', monthly: 'Month', session: 'Session' } as const;

/** The lines under a report's table: the models left out of the cost, the price book, what a row is. */
function footer(unpriced: readonly string[], priceBook: string | null, what: string): string {
  const note = unpriced.length > 0 ? `\nunpriced (no price known, not in cost): ${unpriced.join(', ')}` : '';
  return `${note}\n${priceBookLine(priceBook)}\n(${what})`;
}

const COMPACT_NOTE =
  'compact view (--compact, or a terminal under 100 columns): widen it to see cache and total tokens';

type Key =
  'first' | 'by' | 'models' | 'input' | 'output' | 'cacheCreate' | 'cacheRead' | 'total' | 'cost' | 'last' | 'project';

/** ccusage's line for a report with no rows, instead of a table holding only its total. */
const NO_USAGE = 'No Claude usage data found.';

export function renderPeriodReport(r: PeriodReport, o: RenderOptions): string {
  const what = `${r.kind}${r.instances ? ' by project' : ''}, ${r.tz}; one count per API response, largest line wins`;
  if (r.rows.length === 0) return `${NO_USAGE}${footer([], r.priceBook, what)}`;
  const session = r.kind === 'session';
  const all: [Key, Column][] = [
    ['first', { header: FIRST_HEADER[r.kind] }],
    ...(r.by
      ? [
          ['by', { header: capitalise(r.by), flexible: true, cut: r.by === 'project' ? 'start' : 'end' }] as [
            Key,
            Column,
          ],
        ]
      : []),
    ['models', { header: 'Models', flexible: true }],
    ['input', { header: 'Input', align: 'right' }],
    ['output', { header: 'Output', align: 'right' }],
    ['cacheCreate', { header: 'Cache Create', align: 'right' }],
    ['cacheRead', { header: 'Cache Read', align: 'right' }],
    ['total', { header: 'Total Tokens', align: 'right' }],
    ['cost', { header: 'Cost (USD)', align: 'right' }],
    ...(session
      ? ([
          ['last', { header: 'Last Activity' }],
          ['project', { header: 'Project', flexible: true, cut: 'start' }],
        ] as [Key, Column][])
      : []),
  ];
  const rows: Record<Key, Cell>[] = [];
  const sums = (
    x: {
      inputTokens: number;
      outputTokens: number;
      cacheCreationTokens: number;
      cacheReadTokens: number;
      totalTokens: number;
    },
    colour?: 'gray' | 'yellow',
  ) => ({
    input: cell(formatNumber(x.inputTokens), colour),
    output: cell(formatNumber(x.outputTokens), colour),
    cacheCreate: cell(formatNumber(x.cacheCreationTokens), colour),
    cacheRead: cell(formatNumber(x.cacheReadTokens), colour),
    total: cell(formatNumber(x.totalTokens), colour),
  });
  const blank = cell('');
  const empty = (): Record<Key, Cell> => ({
    first: blank,
    by: blank,
    models: blank,
    input: blank,
    output: blank,
    cacheCreate: blank,
    cacheRead: blank,
    total: blank,
    cost: blank,
    last: blank,
    project: blank,
  });
  let section: string | undefined;
  for (const row of r.rows) {
    if (r.instances && row.project !== section) {
      section = String(row.project);
      rows.push({ ...empty(), first: { ...cell(`Project: ${section || '(none)'}`, 'cyan'), span: true } });
    }
    rows.push({
      ...empty(),
      first: cell(session ? shortSessionId(String(row.sessionId)) : String(row[PERIOD_KEY_FIELD[r.kind]])),
      ...(r.by ? { by: cell(String(row[r.by])) } : {}),
      models: cell(modelsCell(row.modelsUsed)),
      ...sums(row),
      cost: cell(formatCost(row.totalCost, row.unpricedModels)),
      ...(session ? { last: cell(String(row.lastActivity)), project: cell(String(row.projectPath)) } : {}),
    });
    if (o.breakdown) for (const b of row.modelBreakdowns) rows.push(breakdownRow(b, empty(), sums));
  }
  const t = r.totals;
  rows.push({
    ...empty(),
    first: cell('Total', 'yellow'),
    ...sums(t, 'yellow'),
    cost: cell(formatCost(t.totalCost, t.unpricedModels), 'yellow'),
  });

  const full = all.map(([, c]) => c);
  const toCells = (keys: readonly Key[]) => rows.map((row) => keys.map((k) => row[k]));
  const fullKeys = all.map(([k]) => k);
  const compact =
    o.compact === true || o.style.width < COMPACT_BELOW || !fitsWithin(full, toCells(fullKeys), o.style.width);
  // Compact sessions carry the project as the session cell's second line (its end, which names it).
  const hidden: Key[] = compact ? ['cacheCreate', 'cacheRead', 'total', 'project'] : [];
  if (compact && session) {
    for (const row of rows) {
      const first = row.first.text;
      if (row.project.text !== '')
        row.first = { ...row.first, text: `${first}\n${tail(row.project.text, Math.max(first.length, 12))}` };
    }
  }
  const shown = all.filter(([k]) => !hidden.includes(k));
  const table = renderBoxTable(
    shown.map(([, c]) => c),
    toCells(shown.map(([k]) => k)),
    o.style,
  );
  return `${table}${compact ? `\n${COMPACT_NOTE}` : ''}${footer(t.unpricedModels ?? [], r.priceBook, what)}`;
}

function breakdownRow(
  b: ModelBreakdown,
  base: Record<Key, Cell>,
  sums: (x: ModelBreakdown, c: 'gray') => Partial<Record<Key, Cell>>,
): Record<Key, Cell> {
  return {
    ...base,
    first: cell(`  └─ ${shortModelName(b.modelName)}`),
    ...sums(b, 'gray'),
    cost: cell(formatCost(b.cost), 'gray'),
  };
}

/** ccusage shows the last two parts of a session id in its table (the JSON has all of it). */
function shortSessionId(id: string): string {
  return id.split('-').slice(-2).join('-');
}

/** The last `width` characters, `…` first when cut. */
function tail(s: string, width: number): string {
  return s.length <= width ? s : `…${s.slice(s.length - width + 1)}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `2026-06-20 09:00` in the report's zone. */
function localTime(iso: string, tz: string, seconds = false): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  return `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')}${seconds ? `:${p('second')}` : ''}`;
}

function hm(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export interface BlocksRenderOptions extends RenderOptions {
  /** `--token-limit` as given (a number or `max`, the default). */
  tokenLimit?: string;
  /** The blocks `max` is measured over (all of them, before `--active` / `--recent`). */
  allBlocks?: BlocksReport['blocks'];
  now?: number;
}

export function renderBlocksReport(r: BlocksReport, o: BlocksRenderOptions): string {
  const now = o.now ?? Date.now();
  // As ccusage's table: without --token-limit, the largest finished block is the limit the % column measures.
  const limit = tokenLimitOf(o.allBlocks ?? r.blocks, o.tokenLimit ?? 'max');
  const twoLines = o.compact === true || o.style.width < BLOCKS_COMPACT_BELOW;
  const columns: Column[] = [
    { header: 'Block Start' },
    ...(r.by
      ? [{ header: capitalise(r.by), flexible: true, cut: r.by === 'project' ? ('start' as const) : ('end' as const) }]
      : []),
    { header: 'Duration/Status' },
    { header: 'Models', flexible: true },
    { header: 'Tokens', align: 'right' },
    ...(limit !== null ? [{ header: '%', align: 'right' as const }] : []),
    { header: 'Cost (USD)', align: 'right' },
  ];
  const rows: Cell[][] = [];
  const pct = (tokens: number) => `${((tokens / limit!) * 100).toFixed(1)}%`;
  const row = (first: Cell, by: Cell, status: Cell, models: Cell, tokens: Cell, percent: Cell, cost: Cell) =>
    rows.push([first, ...(r.by ? [by] : []), status, models, tokens, ...(limit !== null ? [percent] : []), cost]);
  for (const b of r.blocks) {
    const start = localTime(b.startTime, r.tz);
    const by = cell(r.by ? String(b[r.by]) : '');
    if (b.isGap) {
      const hours = Math.round((Date.parse(b.endTime) - Date.parse(b.startTime)) / 3_600_000);
      const text = `${start}${twoLines ? '\n' : ' - '}${twoLines ? '' : `${localTime(b.endTime, r.tz)} `}(${hours}h gap)`;
      row(
        cell(text, 'gray'),
        by,
        cell('(inactive)', 'gray'),
        cell('-', 'gray'),
        cell('-', 'gray'),
        cell('-', 'gray'),
        cell('-', 'gray'),
      );
      continue;
    }
    const duration = b.isActive
      ? `${hm((now - Date.parse(b.startTime)) / 60_000)} elapsed, ${hm((Date.parse(b.endTime) - now) / 60_000)} remaining`
      : hm((Date.parse(b.actualEndTime ?? b.startTime) - Date.parse(b.startTime)) / 60_000);
    row(
      cell(`${start}${twoLines ? '\n' : ' '}(${duration})`),
      by,
      cell(b.isActive ? 'ACTIVE' : '', 'green'),
      cell(b.models.length ? modelsCell(b.models) : '-'),
      cell(formatNumber(b.totalTokens)),
      cell(limit !== null ? pct(b.totalTokens) : '', limit !== null && b.totalTokens > limit ? 'red' : undefined),
      cell(formatCost(b.costUSD, b.unpricedModels)),
    );
    if (!b.isActive) continue;
    if (limit !== null) {
      const left = Math.max(0, limit - b.totalTokens);
      row(
        cell(`(assuming ${formatNumber(limit)} token limit)`, 'gray'),
        blank(),
        cell('REMAINING', 'blue'),
        blank(),
        cell(formatNumber(left), left > 0 ? undefined : 'red'),
        cell(`${((left / limit) * 100).toFixed(1)}%`),
        blank(),
      );
    }
    if (b.projection) {
      const status = tokenLimitStatus(b, limit)?.status;
      const over = status === 'exceeds';
      const warn = status === 'warning';
      row(
        cell('(assuming current burn rate)', 'gray'),
        blank(),
        cell('PROJECTED', 'yellow'),
        blank(),
        cell(formatNumber(b.projection.totalTokens), over ? 'red' : undefined),
        cell(limit !== null ? pct(b.projection.totalTokens) : '', over ? 'red' : warn ? 'yellow' : undefined),
        cell(formatCost(b.projection.totalCost)),
      );
    }
  }
  const unpriced = [...new Set(r.blocks.flatMap((b) => b.unpricedModels ?? []))].sort();
  const table = r.blocks.length > 0 ? renderBoxTable(columns, rows, o.style) : NO_USAGE;
  return `${table}${footer(unpriced, r.priceBook, `${blockHours(r)}-hour blocks, times in ${r.tz}`)}`;
}

function blank(): Cell {
  return cell('');
}

function blockHours(r: BlocksReport): number {
  const b = r.blocks.find((x) => !x.isGap);
  return b ? Math.round(((Date.parse(b.endTime) - Date.parse(b.startTime)) / 3_600_000) * 100) / 100 : 5;
}

/** ccusage's `session --id` view: the session's totals, then one row per API response. */
export function renderSessionEntries(s: SessionEntries, tz: string, o: RenderOptions): string {
  const head = [
    `Session ${s.sessionId}`,
    `Total Cost: ${formatCost(s.totalCost, s.unpricedModels)}`,
    `Total Tokens: ${formatNumber(s.totalTokens)}`,
    `Total Entries: ${s.entries.length}`,
    ...(s.cacheMiss.responses > 0
      ? [
          `Prompt-cache misses: ${s.cacheMiss.responses} (${formatNumber(s.cacheMiss.tokens)} input tokens at the full rate: ${Object.entries(
            s.cacheMiss.byReason,
          )
            .map(([reason, r]) => `${reason} ${formatNumber(r.tokens)}`)
            .join(', ')})`,
        ]
      : []),
    '',
  ].join('\n');
  const columns: Column[] = [
    { header: 'Timestamp' },
    { header: 'Model', flexible: true },
    { header: 'Input', align: 'right' },
    { header: 'Output', align: 'right' },
    { header: 'Cache Create', align: 'right' },
    { header: 'Cache Read', align: 'right' },
    { header: 'Cost (USD)', align: 'right' },
  ];
  const rows = s.entries.map((e) => [
    cell(localTime(e.timestamp, tz, true)),
    cell(shortModelName(e.model)),
    cell(formatNumber(e.inputTokens)),
    cell(formatNumber(e.outputTokens)),
    cell(formatNumber(e.cacheCreationTokens)),
    cell(formatNumber(e.cacheReadTokens)),
    cell(formatCost(e.costUSD)),
  ]);
  return `${head}\n${renderBoxTable(columns, rows, o.style)}${footer(s.unpricedModels ?? [], s.priceBook, `one row per API response, times in ${tz}`)}`;
}

/** How the active view names each limit status (blocks-view.ts decides the status). */
const LIMIT_STATUS_LABEL: Record<TokenLimitStatus['status'], [string, Colour]> = {
  exceeds: ['EXCEEDS LIMIT', 'red'],
  warning: ['WARNING', 'yellow'],
  ok: ['OK', 'green'],
};

/** ccusage's `blocks --active` view of the one running block: usage so far, burn rate, projection, limit. */
export function renderActiveBlock(
  b: BlocksReport['blocks'][number],
  tz: string,
  limit: number | null,
  o: RenderOptions & { now?: number },
): string {
  const now = o.now ?? Date.now();
  const on = o.style.colour;
  const elapsed = (now - Date.parse(b.startTime)) / 60_000;
  const lines = [
    paint('Current Session Block Status', 'cyan', on),
    '',
    `Block Started: ${paint(localTime(b.startTime, tz), 'cyan', on)} (${paint(hm(elapsed), 'yellow', on)} ago)`,
    `Time Remaining: ${paint(hm((Date.parse(b.endTime) - now) / 60_000), 'green', on)}`,
    '',
    'Current Usage:',
    `  Input Tokens:     ${formatNumber(b.tokenCounts.inputTokens)}`,
    `  Output Tokens:    ${formatNumber(b.tokenCounts.outputTokens)}`,
    `  Total Tokens:     ${formatNumber(b.totalTokens)}`,
    `  Total Cost:       ${formatCost(b.costUSD, b.unpricedModels)}`,
  ];
  if (b.burnRate) {
    lines.push(
      '',
      'Burn Rate:',
      `  Tokens/minute:    ${formatNumber(Math.round(b.burnRate.tokensPerMinute))}`,
      `  Cost/hour:        ${formatCost(b.burnRate.costPerHour)}`,
    );
  }
  if (b.projection) {
    lines.push(
      '',
      'Projected Usage (if current rate continues):',
      `  Total Tokens:     ${formatNumber(b.projection.totalTokens)}`,
      `  Total Cost:       ${formatCost(b.projection.totalCost)}`,
    );
    const st = tokenLimitStatus(b, limit);
    if (st) {
      const [label, colour] = LIMIT_STATUS_LABEL[st.status];
      lines.push(
        '',
        'Token Limit Status:',
        `  Limit:            ${formatNumber(st.limit)} tokens`,
        `  Current Usage:    ${formatNumber(b.totalTokens)} (${((b.totalTokens / st.limit) * 100).toFixed(1)}%)`,
        `  Remaining:        ${formatNumber(Math.max(0, st.limit - b.totalTokens))} tokens`,
        `  Projected Usage:  ${st.percentUsed.toFixed(1)}% ${paint(label, colour, on)}`,
      );
    }
  }
  return lines.join('\n');
}
