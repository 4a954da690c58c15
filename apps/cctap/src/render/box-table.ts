/**
 * ccusage's table look for the usage reports: box borders, a rule between rows, cells of several lines
 * (models one per line), numbers right-aligned, and a width that fits the terminal. When the natural width
 * does not fit, left-aligned columns give up width (flexible ones such as models and projects first) and
 * their lines end in `…`; numbers are never cut. Colour (ANSI) only when the style asks for it.
 */

export type Colour = 'gray' | 'yellow' | 'green' | 'cyan' | 'red' | 'blue';

export interface Cell {
  text: string;
  colour?: Colour;
  /** The first cell of a section heading: spans the whole row and takes no part in column widths. */
  span?: boolean;
}

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Gives up width first when the table is too wide. */
  flexible?: boolean;
  /** Where a cut line loses its text: the end (default) or the start (paths keep their last parts). */
  cut?: 'end' | 'start';
}

export interface TableStyle {
  /** Terminal columns the table must fit in. */
  width: number;
  colour: boolean;
}

const ANSI: Record<Colour, number> = { gray: 90, yellow: 33, green: 32, cyan: 36, red: 31, blue: 34 };
/** Narrowest a shrinking column gets (content, without its padding). */
const MIN_FLEXIBLE = 8;
const MIN_LEFT = 6;

export function paint(text: string, colour: Colour | undefined, on: boolean): string {
  return on && colour && text !== '' ? `\u001b[${ANSI[colour]}m${text}\u001b[39m` : text;
}

export function cell(text: string | number, colour?: Colour): Cell {
  return { text: String(text), ...(colour ? { colour } : {}) };
}

function truncate(line: string, width: number, cut: Column['cut']): string {
  if (line.length <= width) return line;
  if (width <= 1) return '…'.slice(0, width);
  return cut === 'start' ? `…${line.slice(line.length - width + 1)}` : `${line.slice(0, width - 1)}…`;
}

/** Content widths (without padding) that fit `limit`, shrinking flexible columns, then (unless `flexibleOnly`)
 *  the other left-aligned ones. */
function fitWidths(
  columns: readonly Column[],
  rows: readonly (readonly Cell[])[],
  limit: number,
  flexibleOnly = false,
): number[] {
  const sized = rows.filter((r) => !r[0]?.span);
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...sized.map((r) => Math.max(0, ...(r[i]?.text ?? '').split('\n').map((l) => l.length)))),
  );
  // Each column has a space either side and a border on its left; one more border closes the row.
  const total = () => widths.reduce((s, w) => s + w + 3, 1);
  for (const pass of flexibleOnly ? [true] : [true, false]) {
    let excess = total() - limit;
    while (excess > 0) {
      let pick = -1;
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i]!;
        if (c.align === 'right' || (pass && !c.flexible)) continue;
        const min = c.flexible ? MIN_FLEXIBLE : MIN_LEFT;
        if (widths[i]! > min && (pick < 0 || widths[i]! > widths[pick]!)) pick = i;
      }
      if (pick < 0) break;
      widths[pick]!--;
      excess--;
    }
  }
  return widths;
}

/** Whether the table fits `limit` columns by shrinking its flexible columns alone (else a report goes compact). */
export function fitsWithin(columns: readonly Column[], rows: readonly (readonly Cell[])[], limit: number): boolean {
  return fitWidths(columns, rows, limit, true).reduce((s, w) => s + w + 3, 1) <= limit;
}

export function renderBoxTable(
  columns: readonly Column[],
  rows: readonly (readonly Cell[])[],
  style: TableStyle,
): string {
  const widths = fitWidths(columns, rows, style.width);
  const border = (l: string, m: string, r: string) =>
    paint(`${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`, 'gray', style.colour);
  const bar = paint('│', 'gray', style.colour);
  const line = (cells: readonly Cell[]): string[] => {
    if (cells[0]?.span) {
      const inner = widths.reduce((sum, w) => sum + w + 3, -3);
      return [
        `${bar} ${paint(truncate(cells[0].text, inner, 'start').padEnd(inner), cells[0].colour, style.colour)} ${bar}`,
      ];
    }
    const split = columns.map((_, i) => (cells[i]?.text ?? '').split('\n'));
    const height = Math.max(...split.map((s) => s.length));
    const out: string[] = [];
    for (let k = 0; k < height; k++) {
      const parts = columns.map((c, i) => {
        const text = truncate(split[i]![k] ?? '', widths[i]!, c.cut);
        const padded = c.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
        return ` ${paint(padded, cells[i]?.colour, style.colour)} `;
      });
      out.push(`${bar}${parts.join(bar)}${bar}`);
    }
    return out;
  };
  const out = [border('┌', '┬', '┐'), ...line(columns.map((c) => cell(c.header, 'cyan'))), border('├', '┼', '┤')];
  rows.forEach((r, i) => {
    out.push(...line(r));
    out.push(i === rows.length - 1 ? border('└', '┴', '┘') : border('├', '┼', '┤'));
  });
  if (rows.length === 0) out.push(border('└', '┴', '┘'));
  return out.join('\n');
}
