/**
 * The price book a command prices with (`--prices FILE`, CCTAP_PRICES, or the file `cctap prices update`
 * writes): the same merged book the store prices with, so every service agrees. A bad price file is a
 * configuration error (one line), never a silent fallback to the shipped book.
 */
import { ConfigError } from '@cctap/kit/light';
import { loadBook, PriceFileError, type PriceBook } from '@cctap/prices';
import { priceFileOf } from './price-file.js';

/** For a long-running service, loaded once at start: a bad file throws ConfigError. */
export function priceBookOf(flag: string | undefined): PriceBook {
  try {
    return loadBook({ file: priceFileOf(flag) });
  } catch (err) {
    throw err instanceof PriceFileError ? new ConfigError(err.message) : err;
  }
}

/** For a one-shot command: the book of `file` (null: the shipped one), or null after printing `cctap <command>: <why>`. */
export function bookOrComplain(command: string, file: string | null): PriceBook | null {
  try {
    return loadBook({ file });
  } catch (err) {
    if (!(err instanceof PriceFileError)) throw err;
    console.error(`cctap ${command}: ${err.message}`);
    return null;
  }
}
