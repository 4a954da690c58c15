/**
 * A user's price file merged over a book. Per model:
 * - a key the book has (after id normalisation, so `claude-opus-4.8` patches `claude-opus-4-8`): given rates
 *   replace the price since always field by field; `tier`, multipliers and the web search price replace the
 *   book's; `changes` are added (a change at an instant the book already has replaces it);
 * - a new key adds a model. It needs `rates.input` and `rates.output`; missing cache rates follow Anthropic's
 *   standard multipliers (5-minute write 1.25x input, 1-hour write 2x input, read 0.1x input).
 * The merged version names both sources: `<book>+user:<first 8 hex of sha256 of the parsed file>`.
 */
import { createHash } from 'node:crypto';
import {
  withStandardCacheRates,
  type ChangeFormat,
  type EntryPatch,
  type ModelEntry,
  type UserFile,
} from './book-format.js';
import { makeBook, type PriceBook } from './price-book.js';
import { modelIdCandidates } from '../resolve/model-id.js';

export class PriceFileError extends Error {
  override readonly name = 'PriceFileError';
}

function mergeChanges(old: readonly ChangeFormat[] | undefined, add: readonly ChangeFormat[]): ChangeFormat[] {
  const byInstant = new Map<number, ChangeFormat>();
  for (const c of [...(old ?? []), ...add]) byInstant.set(Date.parse(c.from), c);
  return [...byInstant.values()];
}

function patched(old: ModelEntry, p: EntryPatch): ModelEntry {
  const out: ModelEntry = { ...old, rates: { ...old.rates, ...p.rates } };
  for (const f of [
    'status',
    'source',
    'note',
    'tier',
    'fastMultiplier',
    'usMultiplier',
    'webSearchPerRequest',
  ] as const) {
    if (p[f] !== undefined) Object.assign(out, { [f]: p[f] });
  }
  if (p.changes) out.changes = mergeChanges(old.changes, p.changes);
  return out;
}

function added(key: string, p: EntryPatch, where: string): ModelEntry {
  const r = p.rates ?? {};
  if (r.input === undefined || r.output === undefined) {
    throw new PriceFileError(
      `${where}: models.${key}.rates: a model the book does not have needs at least input and output`,
    );
  }
  const { rates: _rates, ...rest } = p;
  return {
    status: 'user',
    ...rest,
    rates: withStandardCacheRates({ ...r, input: r.input, output: r.output }),
  };
}

/** The key a user entry names: the book's key for any spelling of a model it has, else the spelling given. */
function keyFor(book: PriceBook, name: string): string {
  const candidates = modelIdCandidates(name);
  return candidates.find((c) => book.models.has(c)) ?? candidates.at(-1)!;
}

function contentHash(file: UserFile): string {
  return createHash('sha256').update(JSON.stringify(file)).digest('hex').slice(0, 8);
}

/** `where` names the file in error messages. */
export function mergeUserFile(book: PriceBook, file: UserFile, where: string): PriceBook {
  const models = new Map(book.models);
  for (const [name, p] of Object.entries(file.models)) {
    const key = keyFor(book, name);
    const old = models.get(key);
    models.set(key, old ? patched(old, p) : added(name, p, where));
  }
  return makeBook(`${book.version}+user:${contentHash(file)}`, book.defaults, models);
}
