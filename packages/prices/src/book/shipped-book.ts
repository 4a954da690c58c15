/**
 * The book shipped with cctap (shipped-book.json: Anthropic list prices with the source of each entry).
 * Parsed through the same schema as a user file, so a bad edit of the data fails the build's tests loudly.
 */
import data from './shipped-book.json' with { type: 'json' };
import { bookFormat } from './book-format.js';
import { makeBook, type PriceBook } from './price-book.js';

let shipped: PriceBook | null = null;

export function shippedBook(): PriceBook {
  if (!shipped) {
    const parsed = bookFormat.parse(data);
    shipped = makeBook(parsed.version, parsed.defaults, Object.entries(parsed.models));
  }
  return shipped;
}
