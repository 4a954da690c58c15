/**
 * Which price file a command prices with: `--prices FILE`, else CCTAP_PRICES, else the file `cctap prices
 * update` writes (~/.cctap/prices.json) when it exists; none means the book shipped with cctap.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ENV, envValue } from './environment.js';
import type { FlagSpec } from './flags/command-spec.js';

export const DEFAULT_PRICE_FILE = join(homedir(), '.cctap', 'prices.json');

const PRICES_ENV = 'CCTAP_PRICES';

/** `--prices FILE` of the one-shot commands (migrate, report, prices); up and sink declare it in their shape. */
export const PRICES_FLAG: FlagSpec = {
  type: 'string',
  arg: 'FILE',
  env: PRICES_ENV,
  shownDefault: '~/.cctap/prices.json if it exists',
  description: 'price file over the shipped book',
};

/** The file named by the flag or the environment; null when neither names one. */
export function explicitPriceFile(flag: string | undefined, env = ENV): string | null {
  return flag || envValue(PRICES_ENV, env) || null;
}

export function priceFileOf(flag: string | undefined): string | null {
  return explicitPriceFile(flag) ?? (existsSync(DEFAULT_PRICE_FILE) ? DEFAULT_PRICE_FILE : null);
}
