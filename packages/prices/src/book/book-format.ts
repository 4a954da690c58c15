/**
 * The price book's file format, shared by the shipped book and a user's price file. Rates are USD per
 * million tokens (as Anthropic publishes them); `webSearchPerRequest` is USD per request.
 *
 * An entry is the model's price "since always" plus optional effective-dated `changes`, each applied on top
 * of the state before it. A user file uses the same shape with every field optional (see merge-book.ts).
 */
import { z } from 'zod';

const usdPerMTok = z.number().finite().nonnegative();
const multiplier = z.number().finite().positive();
/** An ISO instant with an explicit zone, so an effective date means one moment everywhere. */
export const isZonedInstant = (s: string): boolean => /(?:Z|[+-]\d\d:\d\d)$/.test(s) && Number.isFinite(Date.parse(s));
const instant = z.string().refine(isZonedInstant, {
  message: 'expected an ISO instant with a zone, e.g. 2026-10-07T00:00:00Z',
});

export const rateFields = z.strictObject({
  input: usdPerMTok,
  output: usdPerMTok,
  cacheWrite5m: usdPerMTok,
  cacheWrite1h: usdPerMTok,
  cacheRead: usdPerMTok,
});
export type RatesPerMTok = z.infer<typeof rateFields>;

/** Rates whose missing cache rates follow Anthropic's standard multipliers of input (5-minute write 1.25x,
 *  1-hour write 2x, read 0.1x). */
export function withStandardCacheRates(
  r: Pick<RatesPerMTok, 'input' | 'output'> & Partial<RatesPerMTok>,
): RatesPerMTok {
  return {
    input: r.input,
    output: r.output,
    cacheWrite5m: r.cacheWrite5m ?? r.input * 1.25,
    cacheWrite1h: r.cacheWrite1h ?? r.input * 2,
    cacheRead: r.cacheRead ?? r.input * 0.1,
  };
}

export const tierFormat = z.strictObject({
  /** Prompt tokens (input + cache writes + cache reads) above which the whole request uses `rates`. */
  threshold: z.number().int().positive(),
  rates: rateFields,
});
export type TierFormat = z.infer<typeof tierFormat>;

/** The rule fields an entry and a change share. */
const ruleFields = {
  tier: tierFormat.nullable().optional(),
  fastMultiplier: multiplier.optional(),
  usMultiplier: multiplier.optional(),
  webSearchPerRequest: usdPerMTok.optional(),
};

export const changeFormat = z.strictObject({
  from: instant,
  rates: rateFields.partial().optional(),
  ...ruleFields,
});
export type ChangeFormat = z.infer<typeof changeFormat>;

const describing = {
  /** current | legacy | retired | limited | unconfirmed | user: informative only. */
  status: z.string().optional(),
  source: z.string().optional(),
  note: z.string().optional(),
};

/** A complete entry of a book. */
export const entryFormat = z.strictObject({
  ...describing,
  rates: rateFields,
  ...ruleFields,
  changes: z.array(changeFormat).optional(),
});
export type ModelEntry = z.infer<typeof entryFormat>;

/** An entry of a user file: overrides part of an existing entry, or adds a model. */
export const entryPatchFormat = z.strictObject({
  ...describing,
  rates: rateFields.partial().optional(),
  ...ruleFields,
  changes: z.array(changeFormat).optional(),
});
export type EntryPatch = z.infer<typeof entryPatchFormat>;

export const bookDefaults = z.strictObject({ webSearchPerRequest: usdPerMTok });
export type BookDefaults = z.infer<typeof bookDefaults>;

export const bookFormat = z.strictObject({
  version: z.string().min(1),
  units: z.string().optional(),
  defaults: bookDefaults,
  models: z.record(z.string().min(1), entryFormat),
});

export const userFileFormat = z.strictObject({
  /** Free text naming the file's own revision; the merged book's version uses a content hash either way. */
  version: z.string().optional(),
  models: z.record(z.string().min(1), entryPatchFormat),
});
export type UserFile = z.infer<typeof userFileFormat>;
