/** A tree of transcripts made from the real fixtures (copied whole, so every line is a real line). */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { realFixtureFiles } from '../../support/paths.js';

export function buildCorpus(root: string, copies: number): Map<string, number> {
  const sizes = new Map<string, number>();
  const fixtures = realFixtureFiles();
  for (let i = 0; i < copies; i++) {
    const dir = join(root, 'projects', `-work-proj-${i % 5}`);
    mkdirSync(dir, { recursive: true });
    fixtures.forEach((src, j) => {
      const dst = join(dir, `copy-${i}-${j}.jsonl`);
      copyFileSync(src, dst);
      sizes.set(dst, statSync(dst).size);
    });
  }
  return sizes;
}
