/**
 * Applies prices read from a public source to a book and lists what differs. Shared by the importers: each
 * turns its source's JSON into ImportedEntry values, this compares them with the book's newest state.
 * - a key the book lacks is added (status `imported`, with the source named);
 * - a key whose newest rates, tier or fast multiplier differ is changed: with `effectiveFrom`, as a new
 *   effective-dated change (history stays priced as it was); without, the newest state is corrected in place;
 * - rules a source cannot express (US-only premium, a tier the source does not list) are kept from the book.
 */
import { createHash } from 'node:crypto';
import type { ChangeFormat, ModelEntry, RatesPerMTok, TierFormat } from '../book/book-format.js';
import { entryStates, makeBook, type PriceBook } from '../book/price-book.js';

export interface ImportedEntry {
  rates: RatesPerMTok;
  /** undefined: the source says nothing about a tier; null: the source says there is none. */
  tier?: TierFormat | null;
  fastMultiplier?: number;
  /** Effective-dated changes the source itself lists (only applied to models the book lacks). */
  changes?: ChangeFormat[];
}

export interface PriceChange {
  key: string;
  kind: 'added' | 'changed';
  detail: string;
}

export interface ImportResult {
  book: PriceBook;
  changes: PriceChange[];
  /** Keys the source lists at the book's prices. */
  unchanged: string[];
}

export interface ImportOptions {
  /** ISO instant from which changed prices apply; absent: correct the newest prices in place. */
  effectiveFrom?: string;
}

const RATE_FIELDS = ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const;

function same(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function rateDiffs(prefix: string, old: RatesPerMTok, now: RatesPerMTok): string[] {
  return RATE_FIELDS.filter((f) => !same(old[f], now[f])).map((f) => `${prefix}${f} ${old[f]} -> ${now[f]}`);
}

function tierDiffs(old: TierFormat | null, now: TierFormat | null): string[] {
  if (!now) return old ? ['tier removed'] : [];
  if (!old) return [`tier added above ${now.threshold}`];
  if (old.threshold !== now.threshold) return [`tier threshold ${old.threshold} -> ${now.threshold}`];
  return rateDiffs('tier ', old.rates, now.rates);
}

/** `tag` names the source in the new book's version (`<book>+<tag>:<hash of what changed>`). */
export function applyImported(
  book: PriceBook,
  imported: ReadonlyMap<string, ImportedEntry>,
  source: string,
  tag: string,
  opts: ImportOptions = {},
): ImportResult {
  const models = new Map(book.models);
  const changes: PriceChange[] = [];
  const unchanged: string[] = [];
  for (const [key, imp] of [...imported].sort(([a], [b]) => a.localeCompare(b))) {
    const old = models.get(key);
    if (!old) {
      const entry: ModelEntry = { status: 'imported', source, rates: imp.rates };
      if (imp.tier) entry.tier = imp.tier;
      if (imp.fastMultiplier !== undefined && imp.fastMultiplier !== 1) entry.fastMultiplier = imp.fastMultiplier;
      if (imp.changes?.length) entry.changes = imp.changes;
      models.set(key, entry);
      changes.push({
        key,
        kind: 'added',
        detail: `added from ${source}: input ${imp.rates.input}, output ${imp.rates.output} per MTok`,
      });
      continue;
    }
    const newest = entryStates(old, book.defaults).at(-1)!;
    const diffs = [
      ...rateDiffs('', newest.rates, imp.rates),
      ...(imp.tier !== undefined ? tierDiffs(newest.tier, imp.tier) : []),
      ...(imp.fastMultiplier !== undefined && !same(imp.fastMultiplier, newest.fastMultiplier)
        ? [`fast ${newest.fastMultiplier} -> ${imp.fastMultiplier}`]
        : []),
    ];
    if (diffs.length === 0) {
      unchanged.push(key);
      continue;
    }
    const patch: Omit<ChangeFormat, 'from'> = { rates: imp.rates };
    if (imp.tier !== undefined) patch.tier = imp.tier;
    if (imp.fastMultiplier !== undefined) patch.fastMultiplier = imp.fastMultiplier;
    const oldChanges = old.changes ?? [];
    let entry: ModelEntry;
    if (opts.effectiveFrom !== undefined) {
      entry = { ...old, changes: [...oldChanges, { from: opts.effectiveFrom, ...patch }] };
    } else if (newest.from === null) {
      entry = { ...old, ...patch, rates: imp.rates };
    } else {
      // Correct the newest change itself (the one whose `from` is the newest state's instant).
      const at = Date.parse(newest.from);
      entry = { ...old, changes: oldChanges.map((c) => (Date.parse(c.from) === at ? { ...c, ...patch } : c)) };
    }
    models.set(key, entry);
    changes.push({ key, kind: 'changed', detail: diffs.join(', ') });
  }
  const version =
    changes.length === 0
      ? book.version
      : `${book.version}+${tag}:${createHash('sha256')
          .update(JSON.stringify([changes, opts.effectiveFrom ?? null]))
          .digest('hex')
          .slice(0, 8)}`;
  return { book: makeBook(version, book.defaults, models), changes, unchanged };
}
