/**
 * The price book a long-running service loads once at start (`--prices FILE`, CCTAP_PRICES, or the file
 * `cctap prices update` writes): the same merged book the store prices with, so every service agrees.
 * A bad price file is a configuration error (one line, exit 1), never a silent fallback to the shipped book.
 */
import { ConfigError } from '@cctap/kit';
import { loadBook, PriceFileError, type PriceBook } from '@cctap/prices';
import { priceFileOf } from './price-file.js';

export function priceBookOf(flag: string | undefined): PriceBook {
  try {
    return loadBook({ file: priceFileOf(flag) });
  } catch (err) {
    throw err instanceof PriceFileError ? new ConfigError(err.message) : err;
  }
}
