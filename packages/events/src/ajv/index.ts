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
  /** A batch's envelope (host, source, v): its `events` only has to be an array; each event is checked by `event`. */
  envelope(doc: unknown): AjvVerdict;
}

function verdict(fn: ValidateFunction, doc: unknown): AjvVerdict {
  if (fn(doc)) return { ok: true, errors: [] };
  return {
    ok: false,
    errors: (fn.errors ?? []).slice(0, 5).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`),
  };
}

/** Compiles each schema once, when first needed; reuse the result (compilation is the expensive part). */
export function createContractValidator(): ContractValidator {
  // String lengths: ajv's default counts Unicode code points, as zod 4's min/max do, so both give the same
  // verdict (zod-ajv-agreement.test.ts plants astral characters to prove it).
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  // Formats are expressed as patterns by the generator; we only register the names it emits.
  ajv.addFormat('date-time', true);
  const eventSchema = require('../../schema/event.schema.json') as {
    oneOf?: { properties?: { type?: { const?: string } } }[];
  };
  // Compiled on first use, not at start: compiling every branch took about a second of CPU at each start of a
  // validator (and of `cctap up`), most of it for types that process never sees.
  let event: ValidateFunction | undefined;
  const full = () => (event ??= ajv.compile(eventSchema));
  // The event schema is a oneOf over `type`; ajv would run every branch (each checking the whole envelope
  // before reaching `type`). Only the branch whose `type` const matches can pass, so validate that one
  // directly: same verdict, about 10x faster. Anything else goes through the full schema.
  const branches = new Map<string, object>();
  for (const branch of eventSchema.oneOf ?? []) {
    const t = branch.properties?.type?.const;
    if (typeof t === 'string') branches.set(t, branch);
  }
  const byType = new Map<string, ValidateFunction>();
  const branchFn = (t: string): ValidateFunction | undefined => {
    let fn = byType.get(t);
    const branch = fn ? undefined : branches.get(t);
    if (branch) {
      fn = ajv.compile({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...branch });
      byType.set(t, fn);
    }
    return fn;
  };
  const eventFn = (doc: unknown): AjvVerdict => {
    const t = typeof doc === 'object' && doc !== null ? (doc as { type?: unknown }).type : undefined;
    const fn = typeof t === 'string' ? branchFn(t) : undefined;
    return verdict(fn ?? full(), doc);
  };
  const batchSchema = require('../../schema/batch.schema.json') as {
    $id?: string;
    properties: Record<string, unknown>;
  };
  let batch: ValidateFunction | undefined;
  // The envelope alone: the full batch schema holds every event branch again (the cost of compiling them all).
  let envelope: ValidateFunction | undefined;
  const envelopeSchema = {
    ...batchSchema,
    // Its own id: ajv keeps schemas by id, and the full batch schema may be compiled beside it.
    ...(batchSchema.$id ? { $id: batchSchema.$id.replace(/\.schema\.json$/, '-envelope.schema.json') } : {}),
    properties: { ...batchSchema.properties, events: { type: 'array' } },
  };
  return {
    event: eventFn,
    batch: (doc) => verdict((batch ??= ajv.compile(batchSchema)), doc),
    envelope: (doc) => verdict((envelope ??= ajv.compile(envelopeSchema)), doc),
  };
}
