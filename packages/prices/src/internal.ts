/**
 * `@cctap/prices/internal`: pieces the workspace's own tests reach for (a price file's text merged without a
 * file, the token-usage shape priceResponse reads). Not part of the package's public surface.
 */
export { mergePriceText } from './book/load-book.js';
export type { TokenUsage } from './price/price-response.js';
