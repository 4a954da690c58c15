/**
 * LiteLLM's `model_prices_and_context_window.json` -> book entries. Only Anthropic's own `claude-*` entries
 * are read (Bedrock/Vertex copies repeat the same prices under other keys); dated and undated keys of one
 * model resolve to one canonical key, the undated entry winning when both are present.
 * Fields: input_cost_per_token, output_cost_per_token, cache_creation_input_token_cost (5-minute write),
 * cache_creation_input_token_cost_above_1hr (1-hour write), cache_read_input_token_cost, the
 * `*_above_200k_tokens` variants (read as a whole-request tier at 200K), provider_specific_entry.fast.
 * A missing cache rate follows Anthropic's standard multipliers of input (1.25x, 2x, 0.1x).
 */
import type { RatesPerMTok, TierFormat } from '../book/book-format.js';
import type { PriceBook } from '../book/price-book.js';
import { canonicalOrder, normaliseModelId } from '../resolve/model-id.js';
import { applyImported, type ImportedEntry, type ImportOptions, type ImportResult } from './apply-imported.js';

type Rec = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const mtok = (perToken: number): number => Number((perToken * 1_000_000).toPrecision(12));

function ratesOf(e: Rec, suffix: string, inputFallback?: number): RatesPerMTok | undefined {
  const input = num(e[`input_cost_per_token${suffix}`]) ?? inputFallback;
  const output = num(e[`output_cost_per_token${suffix}`]);
  if (input === undefined || output === undefined) return undefined;
  return {
    input: mtok(input),
    output: mtok(output),
    cacheWrite5m: mtok(num(e[`cache_creation_input_token_cost${suffix}`]) ?? input * 1.25),
    cacheWrite1h: mtok(num(e[`cache_creation_input_token_cost_above_1hr${suffix}`]) ?? input * 2),
    cacheRead: mtok(num(e[`cache_read_input_token_cost${suffix}`]) ?? input * 0.1),
  };
}

function entryOf(e: Rec): ImportedEntry | undefined {
  const rates = ratesOf(e, '');
  if (!rates) return undefined;
  const out: ImportedEntry = { rates };
  if (num(e.input_cost_per_token_above_200k_tokens) !== undefined) {
    const above = ratesOf(e, '_above_200k_tokens');
    if (above) out.tier = { threshold: 200_000, rates: above } satisfies TierFormat;
  }
  const fast = num((e.provider_specific_entry as Rec | undefined)?.fast);
  if (fast !== undefined && fast > 0) out.fastMultiplier = fast;
  return out;
}

export function importLiteLlm(book: PriceBook, json: unknown, opts: ImportOptions = {}): ImportResult {
  const imported = new Map<string, ImportedEntry>();
  const fromUndated = new Set<string>();
  if (json && typeof json === 'object') {
    for (const [name, raw] of Object.entries(json as Rec)) {
      if (!name.startsWith('claude-') || !raw || typeof raw !== 'object') continue;
      const e = raw as Rec;
      if (e.litellm_provider !== undefined && e.litellm_provider !== 'anthropic') continue;
      const entry = entryOf(e);
      if (!entry) continue;
      const key = canonicalOrder(normaliseModelId(name));
      const undated = key === name;
      if (imported.has(key) && (fromUndated.has(key) || !undated)) continue;
      imported.set(key, entry);
      if (undated) fromUndated.add(key);
    }
  }
  return applyImported(book, imported, 'LiteLLM model_prices_and_context_window.json', 'litellm', opts);
}
