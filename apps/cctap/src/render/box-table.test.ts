import { describe, expect, it } from 'vitest';
import { cell, fitsWithin, renderBoxTable, type Column } from './box-table.js';
import { tableStyle } from './terminal-style.js';

const columns: Column[] = [
  { header: 'Date' },
  { header: 'Models', flexible: true },
  { header: 'Path', flexible: true, cut: 'start' },
  { header: 'Cost', align: 'right' },
];
const rows = [
  [
    cell('2026-06-20'),
    cell('- opus-4-8\n- sonnet-4-6'),
    cell('/home/dev/work/customers/enterprise-billing/api'),
    cell('$1,234.56'),
  ],
];

describe('box tables', () => {
  it('draw ccusage borders with multi-line cells and right-aligned numbers', () => {
    const t = renderBoxTable(columns, rows, { width: 200, colour: false }).split('\n');
    expect(t[0]).toMatch(/^┌─+┬/);
    expect(t[1]).toBe('│ Date       │ Models       │ Path                                            │      Cost │');
    expect(t[3]).toContain('│ - opus-4-8   │');
    expect(t[4]).toContain('│ - sonnet-4-6 │');
    expect(t.at(-1)).toMatch(/^└─+┴.*┘$/);
  });

  it('shrink flexible columns first, cut with … (paths from the start), never numbers', () => {
    const t = renderBoxTable(columns, rows, { width: 50, colour: false });
    for (const l of t.split('\n')) expect(l.length).toBeLessThanOrEqual(50);
    expect(t).toContain('$1,234.56');
    expect(t).toContain('2026-06-20');
    expect(t).toMatch(/…[a-z-]*\/api/);
    expect(fitsWithin(columns, rows, 200)).toBe(true);
    expect(fitsWithin(columns, rows, 30)).toBe(false);
  });

  it('colour only when the style says so', () => {
    expect(renderBoxTable(columns, rows, { width: 200, colour: false })).not.toContain('\u001b[');
    expect(renderBoxTable(columns, rows, { width: 200, colour: true })).toContain('\u001b[36mDate');
  });
});

describe('terminal style', () => {
  const tty = { columns: 90, isTTY: true, env: {} };
  const pipe = { columns: undefined, isTTY: false, env: {} };
  it('takes the width from the terminal, then COLUMNS, then 120', () => {
    expect(tableStyle(tty).width).toBe(90);
    expect(tableStyle({ ...pipe, env: { COLUMNS: '80' } }).width).toBe(80);
    expect(tableStyle(pipe).width).toBe(120);
  });

  it('colours a terminal only; flags, then FORCE_COLOR, then NO_COLOR decide otherwise', () => {
    expect(tableStyle(tty).colour).toBe(true);
    expect(tableStyle(pipe).colour).toBe(false);
    expect(tableStyle({ ...tty, env: { NO_COLOR: '1' } }).colour).toBe(false);
    expect(tableStyle({ ...pipe, env: { FORCE_COLOR: '1' } }).colour).toBe(true);
    expect(tableStyle({ ...pipe, env: { FORCE_COLOR: '0' } }).colour).toBe(false);
    expect(tableStyle({ ...pipe, env: { FORCE_COLOR: '1' } }, { noColor: true }).colour).toBe(false);
    expect(tableStyle({ ...tty, env: { NO_COLOR: '1' } }, { color: true }).colour).toBe(true);
  });
});

describe('section headings', () => {
  it('span the row without widening the first column', () => {
    const heading = [{ ...cell('Project: /home/dev/a/very/long/path/that/is/wider/than/the/date/column'), span: true }];
    const t = renderBoxTable(columns, [heading, ...rows], { width: 200, colour: false }).split('\n');
    expect(t[1]).toBe('│ Date       │ Models       │ Path                                            │      Cost │');
    expect(t[3]).toMatch(/^│ Project: \/home\/dev\/a\/very.* │$/);
    expect(t[3]!.length).toBe(t[1]!.length);
  });
});
