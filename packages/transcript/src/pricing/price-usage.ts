/**
 * Cost of one assistant line's usage from the bundled price table (claude-pricing.json: facts from ccusage's
 * LiteLLM snapshot, transcript-format.md section 11).
 *
 * Rules (chosen to match ccusage's current per-category formula, so numbers can be cross-checked):
 * - Four token kinds: input, output, cache writes, cache reads.
 * - Tiers per category: the first 200,000 tokens of a category at the base price, the rest at the
 *   `*_above_200k_tokens` price when the model has one. Anthropic's real long-context premium is a
 *   whole-request threshold; this per-category rule is ccusage's approximation, kept for comparability.
 * - Cache writes: 5-minute writes at `cache_creation_input_token_cost`, 1-hour writes at 2x the input price
 *   (each tiered on its own). A line without the 5m/1h split prices all writes at the cache-creation rate.
 * - `speed: "fast"` multiplies by `provider_specific_entry.fast` when the model has one (else standard price).
 * - Unknown model: { usd: null, unpriced: true } (never $0). `<synthetic>` lines are written by the CLI and
 *   never priced.
 */
import { createHash } from 'node:crypto';
import type { PayloadOf } from '@cctap/events';
import table from './claude-pricing.json' with { type: 'json' };

export type TokenUsage = PayloadOf<'assistant'>['usage'];

interface ModelPrice {
  input_cost_per_token?: number;
  output_cost_per_token?: number;
  cache_creation_input_token_cost?: number;
  cache_read_input_token_cost?: number;
  input_cost_per_token_above_200k_tokens?: number;
  output_cost_per_token_above_200k_tokens?: number;
  cache_creation_input_token_cost_above_200k_tokens?: number;
  cache_read_input_token_cost_above_200k_tokens?: number;
  provider_specific_entry?: { fast?: number };
}

const PRICES: Record<string, ModelPrice> = table;
const KEYS_LONGEST_FIRST = Object.keys(PRICES).sort((a, b) => b.length - a.length);

/** Short hash of the bundled table: identifies which prices produced a number. */
export const PRICE_VERSION: string = `litellm-${createHash('sha256').update(JSON.stringify(table)).digest('hex').slice(0, 12)}`;

export const TIER_THRESHOLD = 200_000;
export const SYNTHETIC_MODEL = '<synthetic>';

export interface Price {
  usd: number | null;
  unpriced: boolean;
  priceVersion: string;
}

const matchCache = new Map<string, ModelPrice | null>();

/** Candidate spellings of a model name, most specific first (provider prefixes, Vertex `@date`, Bedrock `-v1:0`). */
function candidates(model: string): string[] {
  const out = [model];
  let m = model.replace(/\[[^\]]*\]$/, ''); // Claude Code's `[1m]` context suffix
  m = m.replace(/^(?:[a-z]{2}\.)?anthropic[./]/, '').replace(/@/g, '-').replace(/-v\d+(?::\d+)?$/, '');
  out.push(m);
  out.push(m.replace(/-\d{8}$/, ''));
  return out;
}

function findPrice(model: string): ModelPrice | null {
  const hit = matchCache.get(model);
  if (hit !== undefined) return hit;
  let found: ModelPrice | null = null;
  const cands = candidates(model);
  for (const c of cands) {
    if (Object.hasOwn(PRICES, c)) {
      found = PRICES[c]!;
      break;
    }
  }
  if (!found) {
    // Longest key that is a prefix on a `-` boundary, not followed by a digit (claude-opus-4 must not price claude-opus-4-9).
    const base = cands[cands.length - 1]!;
    const key = KEYS_LONGEST_FIRST.find((k) => base.startsWith(`${k}-`) && !/^-\d/.test(base.slice(k.length)));
    found = key ? PRICES[key]! : null;
  }
  if (matchCache.size < 1024) matchCache.set(model, found);
  return found;
}

function tiered(tokens: number, base: number, above: number | undefined): number {
  if (tokens <= 0) return 0;
  if (above === undefined || tokens <= TIER_THRESHOLD) return tokens * base;
  return TIER_THRESHOLD * base + (tokens - TIER_THRESHOLD) * above;
}

export function priceUsage(model: string, usage: TokenUsage, speed?: string | null): Price {
  if (model === SYNTHETIC_MODEL) return { usd: null, unpriced: true, priceVersion: PRICE_VERSION };
  const p = findPrice(model);
  const inputPrice = p?.input_cost_per_token;
  if (!p || inputPrice === undefined || p.output_cost_per_token === undefined) {
    return { usd: null, unpriced: true, priceVersion: PRICE_VERSION };
  }
  const inputAbove = p.input_cost_per_token_above_200k_tokens;
  const writePrice = p.cache_creation_input_token_cost ?? inputPrice * 1.25;
  const readPrice = p.cache_read_input_token_cost ?? inputPrice * 0.1;

  const writesTotal = Math.max(usage.cacheCreation, usage.cacheCreation5m + usage.cacheCreation1h);
  const writes1h = Math.min(usage.cacheCreation1h, writesTotal);
  const writes5m = writesTotal - writes1h;

  let usd =
    tiered(usage.input, inputPrice, inputAbove) +
    tiered(usage.output, p.output_cost_per_token, p.output_cost_per_token_above_200k_tokens) +
    tiered(writes5m, writePrice, p.cache_creation_input_token_cost_above_200k_tokens) +
    tiered(writes1h, 2 * inputPrice, inputAbove === undefined ? undefined : 2 * inputAbove) +
    tiered(usage.cacheRead, readPrice, p.cache_read_input_token_cost_above_200k_tokens);
  if (speed === 'fast') usd *= p.provider_specific_entry?.fast ?? 1;
  return { usd, unpriced: false, priceVersion: PRICE_VERSION };
}
