import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Real transcripts published by other people; provenance in test/fixtures/real/SOURCES.md. */
export const REAL_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/real/', import.meta.url));
export const realFixtureFiles = (): string[] =>
  readdirSync(REAL_FIXTURES_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => `${REAL_FIXTURES_DIR}${f}`);
