/**
 * Context window per model, for context.high. Explicit `contextWindows` in the config win. Otherwise the
 * listed window (model-context-windows.json: LiteLLM's `max_input_tokens`, kept when prices moved to
 * @cctap/prices), capped at `defaultContextWindow` (200k): the list gives 1M for models whose 1M window is
 * an opt-in beta, and real sessions run at 200k without it - the 2.1.39 fixture (claude-opus-4-6, "1M" in
 * the list) auto-compacted at 170,251 tokens. A team on the 1M window sets `contextWindows` (or raises the
 * default).
 */
import listed from './model-context-windows.json' with { type: 'json' };

const WINDOWS: ReadonlyMap<string, number> = new Map(Object.entries(listed as Record<string, number>));

export function contextWindowOf(model: string, overrides: Readonly<Record<string, number>>, fallback: number): number {
  const own = overrides[model];
  if (own !== undefined) return own;
  const known = WINDOWS.get(model) ?? WINDOWS.get(model.replace(/-\d{8}$/, ''));
  return known === undefined ? fallback : Math.min(known, fallback);
}
