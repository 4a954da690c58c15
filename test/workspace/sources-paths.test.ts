/**
 * tsconfig.sources.json (eslint's one program over all sources) is what scripts/workspace-sources.mjs makes of
 * the packages' exports: a package export added without rewriting it would be resolved through the build
 * output, or not at all, and the type-aware rules would check that import against nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SOURCES_TSCONFIG, sourceEntries, sourcesTsconfig } from '../../scripts/workspace-sources.mjs';

describe('tsconfig.sources.json', () => {
  it('is up to date with the packages exports (node scripts/workspace-sources.mjs --write)', () => {
    expect(JSON.parse(readFileSync(SOURCES_TSCONFIG, 'utf8'))).toEqual(sourcesTsconfig());
  });

  it('names a source file that exists for every export', () => {
    const entries = sourceEntries();
    expect(entries.size).toBeGreaterThan(20);
    for (const [spec, file] of entries) expect(existsSync(file), `${spec} -> ${file}`).toBe(true);
    expect(entries.get('@cctap/events/ajv')).toBe('packages/events/src/ajv/index.ts');
  });
});
