/** JSON Schema (draft 2020-12) generated from the zod schemas: the language-neutral form of the contract. */
import { z } from 'zod';
import { batchSchema } from './batch.js';
import { eventSchema } from './event.js';
import { alertSchema } from './alert.js';
import { derivedEventSchema } from './derived.js';

export const JSON_SCHEMA_FILES = {
  'batch.schema.json': batchSchema,
  'event.schema.json': eventSchema,
  'alert.schema.json': alertSchema,
  'derived.schema.json': derivedEventSchema,
} as const;

function generateJsonSchema(schema: z.ZodType, name: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return { ...generated, $id: `https://cctap.dev/schema/v1/${name}` };
}

/** The exact bytes committed under packages/events/schema/ for each file. */
export function renderJsonSchemaFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, schema] of Object.entries(JSON_SCHEMA_FILES)) {
    out[name] = `${JSON.stringify(generateJsonSchema(schema, name), null, 2)}\n`;
  }
  return out;
}
