/**
 * The book a service prices with: the shipped book, merged with the user's price file when there is one.
 * The file comes from `--prices FILE` (opts.file) or, when the option is absent (undefined), from the
 * CCTAP_PRICES environment variable; `file: null` means the shipped book alone. YAML or JSON (by extension;
 * `.json` is read as JSON, anything else as YAML, which also accepts JSON). A bad file throws a
 * PriceFileError with one line naming the file, the entry and the field.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { userFileFormat } from './book-format.js';
import { mergeUserFile, PriceFileError } from './merge-book.js';
import type { PriceBook } from './price-book.js';
import { shippedBook } from './shipped-book.js';

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(top level)';
}

/** The first zod issue as `field: message`. */
function describeIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  return issue ? `${fieldPath(issue.path)}: ${issue.message}` : 'invalid';
}

/** A user price file's text parsed and merged over `base`; `where` names it in errors. */
export function mergePriceText(base: PriceBook, text: string, where: string, format: 'json' | 'yaml'): PriceBook {
  let raw: unknown;
  try {
    raw = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new PriceFileError(`${where}: not valid ${format.toUpperCase()}: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = userFileFormat.safeParse(raw);
  if (!parsed.success) throw new PriceFileError(`${where}: ${describeIssue(parsed.error)}`);
  return mergeUserFile(base, parsed.data, where);
}

/**
 * The shipped book merged with the user's price file, or the shipped book when `file` is null. Which file
 * (`--prices`, CCTAP_PRICES, ~/.cctap/prices.json) is the application's choice (apps/cctap/src/price-file.ts).
 */
export function loadBook(opts: { file: string | null }): PriceBook {
  const file = opts.file;
  const base = shippedBook();
  if (!file) return base;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PriceFileError(
      `prices file ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return mergePriceText(base, text, `prices file ${file}`, /\.json$/i.test(file) ? 'json' : 'yaml');
}
