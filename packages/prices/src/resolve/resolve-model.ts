/** Model id -> canonical key of a book, or null: unknown models stay unpriced (never $0, never a neighbour). */
import type { PriceBook } from '../book/price-book.js';
import { modelIdCandidates } from './model-id.js';

const MAX_CACHED = 4096;
const cache = new WeakMap<PriceBook, Map<string, string | null>>();

export function resolveModel(book: PriceBook, model: string): string | null {
  let perBook = cache.get(book);
  if (!perBook) cache.set(book, (perBook = new Map()));
  const hit = perBook.get(model);
  if (hit !== undefined) return hit;
  const key = modelIdCandidates(model).find((c) => book.models.has(c)) ?? null;
  // Bounded: model ids come from the wire.
  if (perBook.size < MAX_CACHED) perBook.set(model, key);
  return key;
}
