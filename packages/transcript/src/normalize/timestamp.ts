/**
 * Line timestamps. Claude Code writes ISO-8601 UTC with milliseconds; anything else that names a valid instant
 * (other offsets, epoch milliseconds) is converted, anything unusable is treated as absent.
 */
/** The contract's own ISO pattern (zod's iso.datetime, calendar-checked): a match is accepted as written, without Date. */
const CANONICAL =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;
// toISOString prints four-digit years only inside this range.
const MIN_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

export function normalizeTimestamp(v: unknown): string | null {
  if (typeof v === 'string') {
    if (v.length > 64) return null;
    if (CANONICAL.test(v)) return v;
    const ms = Date.parse(v);
    if (Number.isNaN(ms) || ms < MIN_MS || ms > MAX_MS) return null;
    return new Date(ms).toISOString();
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_MS) return new Date(v).toISOString();
  return null;
}
