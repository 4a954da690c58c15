/**
 * Width and colour of report tables, as ccusage decides them: the terminal's columns, else `COLUMNS`, else 120;
 * colour on a terminal only, `--no-color` / `--color` first, then `FORCE_COLOR` (`0` turns it off), then
 * `NO_COLOR` (any value turns it off), as Node's own stream colour check orders them.
 */
import type { TableStyle } from './box-table.js';

const DEFAULT_WIDTH = 120;

export interface TerminalFacts {
  columns: number | undefined;
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export function tableStyle(t: TerminalFacts, flags: { color?: boolean; noColor?: boolean } = {}): TableStyle {
  const fromEnv = Number.parseInt(t.env.COLUMNS ?? '', 10);
  const width = t.columns && t.columns > 0 ? t.columns : fromEnv > 0 ? fromEnv : DEFAULT_WIDTH;
  return { width, colour: colourWanted(t, flags) };
}

function colourWanted(t: TerminalFacts, flags: { color?: boolean; noColor?: boolean }): boolean {
  if (flags.noColor) return false;
  if (flags.color) return true;
  const force = t.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (t.env.NO_COLOR !== undefined && t.env.NO_COLOR !== '') return false;
  return t.isTTY;
}
