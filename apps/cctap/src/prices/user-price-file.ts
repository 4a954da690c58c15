/**
 * The user's price file as `cctap prices update` writes it: the entries of the merged book that differ from
 * the book shipped with cctap (so a later cctap release's corrections still apply to every other model),
 * in the format loadBook reads back. Written to a temporary file and renamed: a reader never sees half a file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { shippedBook, type ModelEntry, type PriceBook, type UserFile } from '@cctap/prices';

export function userFileOf(book: PriceBook, version: string): UserFile {
  const shipped = shippedBook();
  const models: Record<string, ModelEntry> = {};
  for (const [key, entry] of book.models) {
    const base = shipped.models.get(key);
    if (!base || JSON.stringify(base) !== JSON.stringify(entry)) models[key] = entry;
  }
  return { version, models };
}

export function writeUserFile(path: string, file: UserFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(tmp, path);
}
