/** Regenerates packages/events/schema/*.json from the zod schemas (`npm run schemas`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderJsonSchemaFiles } from '../json-schema.js';

const dir = fileURLToPath(new URL('../../schema/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, body] of Object.entries(renderJsonSchemaFiles())) {
  writeFileSync(`${dir}${name}`, body);
  console.log(`wrote ${dir}${name}`);
}
