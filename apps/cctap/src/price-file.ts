/**
 * Which price file a command prices with: `--prices FILE`, else CCTAP_PRICES, else the file `cctap prices
 * update` writes (~/.cctap/prices.json) when it exists; none means the book shipped with cctap.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_PRICE_FILE = join(homedir(), '.cctap', 'prices.json');

export const PRICES_FLAG_USAGE = `  --prices FILE      price file over the shipped book (env CCTAP_PRICES; default ~/.cctap/prices.json if it exists)`;

/** The file named by the flag or the environment; null when neither names one. */
export function explicitPriceFile(flag: string | undefined): string | null {
  return flag || process.env.CCTAP_PRICES || null;
}

export function priceFileOf(flag: string | undefined): string | null {
  return explicitPriceFile(flag) ?? (existsSync(DEFAULT_PRICE_FILE) ? DEFAULT_PRICE_FILE : null);
}
