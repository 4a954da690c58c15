import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_FILES, renderJsonSchemaFiles } from './json-schema.js';

const SCHEMA_DIR = fileURLToPath(new URL('../schema/', import.meta.url));

describe('committed JSON Schema', () => {
  const fresh = renderJsonSchemaFiles();

  it('has exactly the files the generator writes', () => {
    expect(
      readdirSync(SCHEMA_DIR)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(Object.keys(JSON_SCHEMA_FILES).sort());
  });

  it.each(Object.keys(fresh))('%s equals a fresh rendering of the zod schemas', (name) => {
    const committed = existsSync(`${SCHEMA_DIR}${name}`) ? readFileSync(`${SCHEMA_DIR}${name}`, 'utf8') : '(missing)';
    if (committed !== fresh[name]) {
      throw new Error(
        `packages/events/schema/${name} is out of date with the zod schemas: run \`npm run schemas\` and commit the result.`,
      );
    }
  });
});
