/**
 * Context window per model, for context.high. Explicit `contextWindows` in the config win. Otherwise the
 * bundled price table's `max_input_tokens` (packages/transcript/src/pricing/claude-pricing.json), capped at
 * `defaultContextWindow` (200k): the table lists 1M for models whose 1M window is an opt-in beta, and real
 * sessions run at 200k without it - the 2.1.39 fixture (claude-opus-4-6, "1M" in the table) auto-compacted
 * at 170,251 tokens. A team on the 1M window sets `contextWindows` (or raises the default).
 * The file is located relative to this module (same depth in src/ and dist/); when absent, defaults apply.
 */
import { readFileSync } from 'node:fs';

let table: Map<string, number> | null = null;

function priceTable(): Map<string, number> {
  if (table) return table;
  table = new Map();
  try {
    const url = new URL('../../../../packages/transcript/src/pricing/claude-pricing.json', import.meta.url);
    const raw = JSON.parse(readFileSync(url, 'utf8')) as Record<string, { max_input_tokens?: unknown }>;
    for (const [model, v] of Object.entries(raw)) {
      if (typeof v.max_input_tokens === 'number' && v.max_input_tokens > 0) table.set(model, v.max_input_tokens);
    }
  } catch {
    // not shipped with this build: defaults apply
  }
  return table;
}

export function contextWindowOf(model: string, overrides: Readonly<Record<string, number>>, fallback: number): number {
  const own = overrides[model];
  if (own !== undefined) return own;
  const t = priceTable();
  const listed = t.get(model) ?? t.get(model.replace(/-\d{8}$/, ''));
  return listed === undefined ? fallback : Math.min(listed, fallback);
}
