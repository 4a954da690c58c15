/**
 * An ajv (draft 2020-12) validator over the committed JSON Schema. Lives behind the `@cctap/events/ajv`
 * subpath so the contract's main entry keeps zod as its only runtime dependency; ajv is an optional peer.
 */
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

export interface AjvVerdict {
  ok: boolean;
  /** `instancePath message` of the first errors, for the invalid stream's reason. */
  errors: string[];
}

export interface ContractValidator {
  event(doc: unknown): AjvVerdict;
  batch(doc: unknown): AjvVerdict;
}

function verdict(fn: ValidateFunction, doc: unknown): AjvVerdict {
  if (fn(doc)) return { ok: true, errors: [] };
  return { ok: false, errors: (fn.errors ?? []).slice(0, 5).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`) };
}

/** Compiles both schemas once; reuse the result (compilation is the expensive part). */
export function createContractValidator(): ContractValidator {
  // Lengths are counted in UTF-16 code units, as zod counts them, so both give the same verdict.
  const ajv = new Ajv2020({ allErrors: false, strict: false, unicode: false });
  // Formats are expressed as patterns by the generator; we only register the names it emits.
  ajv.addFormat('date-time', true);
  const event = ajv.compile(require('../../schema/event.schema.json') as object);
  const batch = ajv.compile(require('../../schema/batch.schema.json') as object);
  return { event: (doc) => verdict(event, doc), batch: (doc) => verdict(batch, doc) };
}
