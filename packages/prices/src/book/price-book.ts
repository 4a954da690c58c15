/**
 * A price book: a version plus one entry per canonical model id. Books are immutable values; merging and
 * importing return new books. Rows (price-row.ts) are derived from the entries once per book.
 */
import type { PriceRow, Rates } from '../price-row.js';
import type { BookDefaults, ModelEntry, RatesPerMTok, TierFormat } from './book-format.js';

export interface PriceBook {
  /** Names the prices that produced a number, e.g. `2026-12-06` or `2026-12-06+user:1a2b3c4d`. */
  readonly version: string;
  readonly defaults: BookDefaults;
  /** Canonical id -> entry. */
  readonly models: ReadonlyMap<string, ModelEntry>;
}

export function makeBook(version: string, defaults: BookDefaults, models: Iterable<[string, ModelEntry]>): PriceBook {
  return Object.freeze({ version, defaults, models: new Map(models) });
}

const PER_MTOK = 1_000_000;

/** USD per token, rounded to 12 significant digits so 0.2/1e6 is 2e-7 and not 2.0000000000000002e-7. */
const perTok = (usdPerMTok: number): number => Number((usdPerMTok / PER_MTOK).toPrecision(12));

function perToken(r: RatesPerMTok): Rates {
  return {
    input: perTok(r.input),
    output: perTok(r.output),
    cacheWrite5m: perTok(r.cacheWrite5m),
    cacheWrite1h: perTok(r.cacheWrite1h),
    cacheRead: perTok(r.cacheRead),
  };
}

/** Normalises an instant so rows compare and join as plain strings (`2026-10-07T00:00:00.000Z`). */
function isoOf(instant: string): string {
  return new Date(Date.parse(instant)).toISOString();
}

/** An entry's full state from one instant on, in the book's units (USD per million tokens). */
export interface EntryState {
  from: string | null;
  rates: RatesPerMTok;
  tier: TierFormat | null;
  fastMultiplier: number;
  usMultiplier: number;
  webSearchPerRequest: number;
}

/** The entry's prices over time: the state since always, then each change applied on top of the one before. */
export function entryStates(entry: ModelEntry, defaults: BookDefaults): EntryState[] {
  const states: EntryState[] = [
    {
      from: null,
      rates: entry.rates,
      tier: entry.tier ?? null,
      fastMultiplier: entry.fastMultiplier ?? 1,
      usMultiplier: entry.usMultiplier ?? 1,
      webSearchPerRequest: entry.webSearchPerRequest ?? defaults.webSearchPerRequest,
    },
  ];
  const changes = [...(entry.changes ?? [])].sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
  for (const c of changes) {
    const prev = states[states.length - 1]!;
    const from = isoOf(c.from);
    const next: EntryState = {
      from,
      rates: { ...prev.rates, ...c.rates },
      tier: c.tier === undefined ? prev.tier : c.tier,
      fastMultiplier: c.fastMultiplier ?? prev.fastMultiplier,
      usMultiplier: c.usMultiplier ?? prev.usMultiplier,
      webSearchPerRequest: c.webSearchPerRequest ?? prev.webSearchPerRequest,
    };
    // Two changes at the same instant: the later one in the list describes that instant.
    if (prev.from === from) states.pop();
    states.push(next);
  }
  return states;
}

function rowsOfEntry(key: string, entry: ModelEntry, defaults: BookDefaults): PriceRow[] {
  const states = entryStates(entry, defaults);
  return states.map((st, i) => ({
    key,
    effectiveFrom: st.from,
    effectiveTo: states[i + 1]?.from ?? null,
    base: perToken(st.rates),
    tier: st.tier ? { threshold: st.tier.threshold, rates: perToken(st.tier.rates) } : null,
    fastMultiplier: st.fastMultiplier,
    usMultiplier: st.usMultiplier,
    webSearchPerRequest: st.webSearchPerRequest,
  }));
}

const rowCache = new WeakMap<PriceBook, Map<string, PriceRow[]>>();

/** The rows of a key, computed once per book (shared: callers must not modify them). */
export function rowsOf(book: PriceBook, key: string): readonly PriceRow[] {
  let perBook = rowCache.get(book);
  if (!perBook) rowCache.set(book, (perBook = new Map()));
  let rows = perBook.get(key);
  if (!rows) {
    const entry = book.models.get(key);
    rows = entry ? rowsOfEntry(key, entry, book.defaults) : [];
    perBook.set(key, rows);
  }
  return rows;
}

/** The effective-dated rows of one canonical key (empty when the book does not have it). */
export function priceRows(book: PriceBook, key: string): PriceRow[] {
  return rowsOf(book, key).map((r) => ({
    ...r,
    base: { ...r.base },
    tier: r.tier && { ...r.tier, rates: { ...r.tier.rates } },
  }));
}

/** Every canonical key of the book, sorted. */
export function listKeys(book: PriceBook): string[] {
  return [...book.models.keys()].sort();
}

/** The row in force at `ts` (rows sorted, disjoint); an unparsable time uses the newest row. */
export function rowAt(rows: readonly PriceRow[], ts: string): PriceRow | null {
  if (rows.length === 0) return null;
  const t = Date.parse(ts);
  if (!Number.isFinite(t)) return rows[rows.length - 1]!;
  for (const r of rows) {
    const afterStart = r.effectiveFrom === null || t >= Date.parse(r.effectiveFrom);
    const beforeEnd = r.effectiveTo === null || t < Date.parse(r.effectiveTo);
    if (afterStart && beforeEnd) return r;
  }
  return rows[rows.length - 1]!;
}
