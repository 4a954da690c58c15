/**
 * @cctap/prices: the one price book every central consumer prices Claude usage with (DESIGN sections 4, 7).
 *
 * - shippedBook() / loadBook({ file })      the shipped book, optionally merged with a user's price file
 * - resolveModel(book, model)               any real spelling of a model id -> canonical key, or null
 * - priceResponse(book, facts)              USD of one response (rates at its own time, tier, fast, US, web
 *                                           search, advisor iterations); null when any model is unknown
 * - priceAssistant(book, payload, ts)       the same for an assistant event, from its payload
 * - priceRows / listKeys                    the flat effective-dated rows a store joins usage on
 * - importLiteLlm / importGenaiPrices       public price sources -> a new book + what changed
 */
export type { PriceRow } from './price-row.js';
export type { PriceBook } from './book/price-book.js';
export { priceRows, listKeys } from './book/price-book.js';
export type { ModelEntry, UserFile } from './book/book-format.js';
export { isZonedInstant } from './book/book-format.js';
export { shippedBook } from './book/shipped-book.js';
export { loadBook } from './book/load-book.js';
export { PriceFileError } from './book/merge-book.js';
export { resolveModel } from './resolve/resolve-model.js';
export { priceResponse } from './price/price-response.js';
export { priceAssistant } from './price/price-assistant.js';
export { importLiteLlm } from './import/litellm.js';
export { importGenaiPrices } from './import/genai-prices.js';
