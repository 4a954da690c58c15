/**
 * Spellings of one model id that really appear in transcripts and gateways, reduced to the book's canonical
 * form. Only spelling is normalised: the result is looked up exactly, never matched to a neighbour
 * (`claude-opus-5-5` is not `claude-opus-5`, `claude-opus-4-9` is unknown).
 *
 *   claude-opus-4.8                               gateway dots          -> claude-opus-4-8
 *   claude-sonnet-4-5-20250929, …-latest          date / alias suffix   -> claude-sonnet-4-5
 *   claude-opus-4-6[1m]                           context suffix        -> claude-opus-4-6
 *   us.anthropic.claude-sonnet-4-5-20250929-v1:0  Bedrock (us/eu/apac/global/jp/au regional prefixes)
 *   anthropic/claude-sonnet-4-5                   gateway provider prefix
 *   claude-sonnet-4-5@20250929                    Vertex
 *   claude-4-sonnet-20250514                      legacy order (Claude 4 and later) -> claude-sonnet-4
 *   claude-haiku-3-5                              new order for Claude 3 -> claude-3-5-haiku
 *   claude-sonnet-4-0                             version x.0 -> claude-sonnet-4
 */

/** The spelling after removing provider wrappers, suffixes and gateway dots (lower case). */
export function normaliseModelId(model: string): string {
  let m = model.trim().toLowerCase();
  m = m.replace(/\[[^\]]*\]$/, '');
  m = m.replace(/^(?:(?:us|eu|apac|global|jp|au|us-gov)\.)?anthropic\./, '').replace(/^anthropic\//, '');
  // Bedrock's `-v1:0` follows a version digit; `claude-v1` is a model of its own.
  m = m.replace(/(?<=\d)-v\d+(?::\d+)?$/, '');
  m = m.replace(/@.*$/, '');
  m = m.replace(/(\d)\.(\d)/g, '$1-$2');
  m = m.replace(/-(?:\d{8}|latest)$/, '');
  return m;
}

const FAMILY_FIRST = /^claude-([a-z]+)-(\d+)((?:-\d{1,2})?)$/;
const VERSION_FIRST = /^claude-(\d+)((?:-\d{1,2})?)-([a-z]+)$/;

/**
 * Claude 3 ids put the version first (claude-3-5-haiku), Claude 4 and later the family first
 * (claude-sonnet-4); early Claude 4 ids used the old order (claude-4-sonnet). Returns the book's order.
 */
export function canonicalOrder(id: string): string {
  const f = FAMILY_FIRST.exec(id);
  const v = f ? null : VERSION_FIRST.exec(id);
  const family = f ? f[1]! : v?.[3];
  const major = f ? f[2]! : v?.[1];
  let minor = f ? f[3]! : v?.[2];
  if (family === undefined || major === undefined || minor === undefined) return id;
  // `claude-sonnet-4-0` is Anthropic's alias of `claude-sonnet-4`: version 4.0 is 4, not a neighbour.
  if (minor === '-0') minor = '';
  return Number(major) >= 4 ? `claude-${family}-${major}${minor}` : `claude-${major}${minor}-${family}`;
}

/** The candidate keys for a model id, most literal first. */
export function modelIdCandidates(model: string): string[] {
  const n = normaliseModelId(model);
  const c = canonicalOrder(n);
  return c === n ? [n] : [n, c];
}
