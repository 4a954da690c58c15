/**
 * pydantic genai-prices data (`prices/data.json`: providers[] each with models[]) -> book entries. Only the
 * `anthropic` provider is read. A model's `id` names it (resolved to the canonical key); its `match`
 * patterns are ignored because they are prefix rules (`starts_with: claude-sonnet-5` also matches
 * claude-sonnet-5-5), which the book never uses. `prices` is one price or a list of conditional prices
 * whose `start_date` constraints become effective-dated changes. A tiered price `{ base, tiers: [{ start }] }`
 * becomes a whole-request tier at the first tier's start. `web_searches_kcount` is USD per 1,000 searches.
 */
import { withStandardCacheRates, type ChangeFormat, type RatesPerMTok, type TierFormat } from '../book/book-format.js';
import type { PriceBook } from '../book/price-book.js';
import { canonicalOrder, normaliseModelId } from '../resolve/model-id.js';
import { applyImported, type ImportedEntry, type ImportOptions, type ImportResult } from './apply-imported.js';

type Rec = Record<string, unknown>;
type Price = number | { base?: unknown; tiers?: unknown } | undefined;

function baseOf(p: Price): number | undefined {
  if (typeof p === 'number') return p;
  return p && typeof p.base === 'number' ? p.base : undefined;
}

function firstTier(p: Price): { start: number; price: number } | undefined {
  if (!p || typeof p !== 'object' || !Array.isArray(p.tiers)) return undefined;
  const t = p.tiers[0] as Rec | undefined;
  return t && typeof t.start === 'number' && typeof t.price === 'number'
    ? { start: t.start, price: t.price }
    : undefined;
}

function ratesOf(mp: Rec, pick: (p: Price) => number | undefined): RatesPerMTok | undefined {
  const input = pick(mp.input_mtok as Price);
  const output = pick(mp.output_mtok as Price);
  if (input === undefined || output === undefined) return undefined;
  return withStandardCacheRates({
    input,
    output,
    cacheWrite5m: pick(mp.cache_write_mtok as Price),
    cacheWrite1h: pick(mp.cache_write_1h_mtok as Price),
    cacheRead: pick(mp.cache_read_mtok as Price),
  });
}

function priceOf(mp: Rec): ImportedEntry | undefined {
  const rates = ratesOf(mp, baseOf);
  if (!rates) return undefined;
  const out: ImportedEntry = { rates };
  const start = firstTier(mp.input_mtok as Price)?.start;
  if (start !== undefined) {
    const tierRates = ratesOf(mp, (p) => firstTier(p)?.price ?? baseOf(p));
    if (tierRates) out.tier = { threshold: start, rates: tierRates } satisfies TierFormat;
  }
  return out;
}

function entryOf(model: Rec): ImportedEntry | undefined {
  const prices = model.prices;
  if (!Array.isArray(prices)) return prices && typeof prices === 'object' ? priceOf(prices as Rec) : undefined;
  let first: ImportedEntry | undefined;
  const changes: ChangeFormat[] = [];
  for (const cp of prices as Rec[]) {
    const p = cp?.prices && typeof cp.prices === 'object' ? priceOf(cp.prices as Rec) : undefined;
    if (!p) continue;
    const c = cp.constraint as Rec | undefined;
    if (c && c.type === 'start_date' && typeof c.start_date === 'string') {
      const from = /T/.test(c.start_date) ? c.start_date : `${c.start_date}T00:00:00Z`;
      // Each conditional price is complete: no tiers there means none from that date.
      changes.push({ from, rates: p.rates, tier: p.tier ?? null });
    } else if (!c) {
      first = p;
    }
  }
  if (!first) return undefined;
  return changes.length ? { ...first, changes } : first;
}

/** The newest state of an entry with changes: what is compared with the book. */
function newest(e: ImportedEntry): ImportedEntry {
  const last = [...(e.changes ?? [])].sort((a, b) => Date.parse(a.from) - Date.parse(b.from)).at(-1);
  if (!last) return e;
  return { ...e, rates: { ...e.rates, ...last.rates }, tier: last.tier ?? null };
}

export function importGenaiPrices(book: PriceBook, json: unknown, opts: ImportOptions = {}): ImportResult {
  const providers = Array.isArray(json)
    ? json
    : Array.isArray((json as Rec | null)?.providers)
      ? ((json as Rec).providers as unknown[])
      : [];
  const imported = new Map<string, ImportedEntry>();
  for (const prov of providers as Rec[]) {
    if (prov?.id !== 'anthropic' || !Array.isArray(prov.models)) continue;
    for (const m of prov.models as Rec[]) {
      if (typeof m?.id !== 'string') continue;
      const entry = entryOf(m);
      if (!entry) continue;
      const key = canonicalOrder(normaliseModelId(m.id));
      // Compare the newest price; the source's own history is kept for models the book lacks.
      imported.set(key, book.models.has(key) ? { ...newest(entry), changes: [] } : entry);
    }
  }
  return applyImported(book, imported, 'pydantic genai-prices data.json', 'genai-prices', opts);
}
