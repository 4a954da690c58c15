import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCorpus, type ExpectedCorpus } from '../corpus/index.js';

/**
 * The benchmark corpus, generated once under bench/out/ (git-ignored) and reused while its generator
 * parameters match; generation is deterministic, so a cached corpus is the same bytes as a fresh one.
 */
export function ensureCorpus(
  benchOut: string,
  size: number,
  seed: number,
): { dir: string; expected: ExpectedCorpus; generated: boolean } {
  const dir = join(benchOut, `corpus-${size}-seed${seed}`);
  const expectedPath = join(dir, 'expected.json');
  if (existsSync(expectedPath)) {
    const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as ExpectedCorpus;
    if (expected.generator.size === size && expected.generator.seed === seed)
      return { dir, expected, generated: false };
  }
  const { expected } = generateCorpus({ out: dir, size, seed, force: true });
  return { dir, expected, generated: true };
}
