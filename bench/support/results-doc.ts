import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Rewrites one benchmark's generated block in docs/benchmarks.md, between `<!-- bench:<name> -->` and
 * `<!-- /bench:<name> -->`, leaving everything else (other sections, hand-written notes) untouched.
 * Without the markers the block is appended under the given heading.
 */
export function writeResultsBlock(docPath: string, name: string, heading: string, body: string): void {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${body.trimEnd()}\n${close}`;
  const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
  const from = doc.indexOf(open);
  const to = doc.indexOf(close);
  const next = from >= 0 && to > from
    ? doc.slice(0, from) + block + doc.slice(to + close.length)
    : `${doc.trimEnd()}\n\n## ${heading}\n\n${block}\n`;
  writeFileSync(docPath, next);
}
